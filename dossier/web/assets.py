"""The page script and style sheet the app passes to ``launch(head=…, css=…)``."""

from __future__ import annotations

# Runs in the page: a click on a citation writes "turn:n@time" (chat) or "n@time" (briefing)
# into a hidden textbox and fires its input event, so the Python change handler fills the
# source panel. Gradio's chat sanitizer strips data-* attributes: the key travels in classes.
HEAD = """<script>
document.addEventListener('click', function (ev) {
  var el = ev.target && ev.target.closest ? ev.target.closest('.cite') : null;
  if (!el) return;
  var m = /(?:^|\\s)cite-(\\d+)-(\\d+)(?:\\s|$)/.exec(el.className);
  var b = /(?:^|\\s)bcite-(\\d+)(?:\\s|$)/.exec(el.className);
  var key = m ? m[1] + ':' + m[2] : (b ? b[1] : null);
  var box = document.querySelector(m ? '#cite-box textarea, #cite-box input'
                                     : '#brief-cite-box textarea, #brief-cite-box input');
  if (!key || !box) return;
  ev.preventDefault();
  var setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
  setter.call(box, key + '@' + Date.now());
  box.dispatchEvent(new Event('input', {bubbles: true}));
}, true);
</script>"""

CSS = """
.cite { cursor: pointer; border: 1px solid var(--border-color-accent, #f97316);
  border-radius: 4px; padding: 0 4px; margin: 0 1px; font-size: 0.85em;
  background: var(--background-fill-secondary); color: var(--body-text-color); }
.cite:hover { background: var(--color-accent-soft, #ffedd5); }
.sources { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.source-card { text-align: left; max-width: 100%; }
.supported { color: #15803d; } .flagged, .flag { color: #b91c1c; }
.sent.unsupported { text-decoration: underline dotted #b91c1c; }
.rewritten, .note, .scope, .coverage { opacity: 0.8; font-size: 0.9em; }
#briefing h1 { font-size: 1.4em; } #briefing h2 { font-size: 1.15em; margin-top: 1em; }
#briefing blockquote { margin: 0.2em 0 0.2em 1em; padding-left: 0.6em; opacity: 0.85;
  border-left: 3px solid var(--border-color-primary); }
#briefing .vs { margin-left: 1.5em; }
#source-panel .passage, #brief-source-panel .passage { white-space: pre-wrap;
  max-height: 420px; overflow-y: auto; border: 1px solid var(--border-color-primary);
  padding: 8px; border-radius: 6px; }
#source-panel mark, #brief-source-panel mark { background: #fde68a; color: #111; }
.light { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; vertical-align: middle; }
.light.green { background: #22c55e; } .light.red { background: #ef4444; }
.stats td { padding: 2px 10px 2px 0; }
"""
