"""The page script and style sheet the app passes to ``launch(head=…, css=…)``, and the skip
link that opens the page."""

from __future__ import annotations

# The first Tab stop of the page (hidden until focused): straight to the question box.
SKIP_LINK = (
    '<a class="skip-link" href="#question">Skip to the question box</a>'
    '<p class="sr-only">Press / anywhere to type a question.</p>'
)

# Runs in the page. Gradio's chat sanitizer strips data-* attributes, so keys travel in
# classes, and the page talks to Python by writing into hidden text boxes and firing their
# input event:
# - a citation writes "turn:n@time" (chat) or "n@time" (briefing), ":full" added by the
#   panel's "Open whole document", into #cite-box / #brief-cite-box;
# - when a panel then changes, its highlight is scrolled into view (on a phone the panel is
#   a drawer, opened);
# - a suggested question goes to #suggest-box; the Library's ticks to #tick-box, a Remove
#   click to #remove-box; the Library's search and sort run here, on the table's rows;
# - "/" or the skip link focuses the question box; chat messages' aria-labels are given
#   their text instead of their HTML.
HEAD = """<script>
(function () {
  // the panel awaiting new content (for a few seconds: Gradio may render it twice), its old
  // content, and whether the whole document was asked for
  var pending = null, before = null, whole = false, until = 0, timer = null;
  function send(sel, value) {
    var box = document.querySelector(sel + ' textarea, ' + sel + ' input');
    if (!box) return;
    var setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
    setter.call(box, value);
    box.dispatchEvent(new Event('input', {bubbles: true}));
  }
  function cite(el) {
    var m = /(?:^|\\s)cite-(\\d+)-(\\d+)(?:\\s|$)/.exec(el.className);
    var b = /(?:^|\\s)bcite-(\\d+)(?:\\s|$)/.exec(el.className);
    var key = m ? m[1] + ':' + m[2] : (b ? b[1] : null);
    if (!key) return false;
    whole = el.classList.contains('doc-full');
    until = Date.now() + 4000;
    if (whole) key += ':full';
    pending = m ? 'source-panel' : 'brief-source-panel';
    var panel = document.getElementById(pending);
    var old = panel ? panel.querySelector('.source') : null;
    before = old ? old.outerHTML : '';  // Gradio patches the DOM: compare content
    send(m ? '#cite-box' : '#brief-cite-box', key + '@' + Date.now());
    return true;
  }
  function drawer(panelId) { var p = document.getElementById(panelId);
    return p ? p.closest('.source-col') : null; }
  function shown(panel) {
    var col = drawer(panel.id);
    if (col && !panel.querySelector('.source.empty')) col.classList.add('open');
    var mark = panel.querySelector('mark.hl');
    var target = mark || panel;
    target.scrollIntoView({block: 'center', inline: 'nearest'});
    var box = panel.querySelector('.passage');
    if (box) box.focus({preventScroll: true});
  }
  function focusQuestion() {
    var tab = document.querySelector('#tabs button[role=tab]');
    if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
    setTimeout(function () {
      var q = document.querySelector('#question textarea');
      if (q) q.focus();
    }, 50);
  }
  function ticks() {
    var ids = Array.from(document.querySelectorAll('#documents .doc-tick:checked'))
      .map(function (c) { return c.value; });
    send('#tick-box', ids.join(' ') + '@' + Date.now());
  }
  function search(input) {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean), n = 0;
    document.querySelectorAll('#documents tbody tr').forEach(function (tr) {
      var text = tr.innerText.toLowerCase();
      var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
      tr.hidden = !hit; if (hit) n += 1;
    });
    var count = document.querySelector('#documents .doc-count');
    if (count) count.textContent = n + ' documents';
  }
  function sort(btn) {
    var th = btn.closest('th'), table = btn.closest('table'), col = th.cellIndex;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach(function (h) {
      if (h.hasAttribute('aria-sort')) h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0], rows = Array.from(body.rows);
    var key = function (r) { var t = r.cells[col].innerText.trim();
      return /^\\d+$/.test(t) ? Number(t) : t.toLowerCase(); };
    rows.sort(function (a, b) { var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.addEventListener('click', function (ev) {
    var t = ev.target && ev.target.closest ? ev.target : null;
    if (!t) return;
    var el = t.closest('.cite');
    if (el && cite(el)) { ev.preventDefault(); return; }
    if ((el = t.closest('.panel-close'))) {
      var col = el.closest('.source-col'); if (col) col.classList.remove('open'); return; }
    if ((el = t.closest('.suggest'))) { send('#suggest-box', el.innerText + '\\n' + Date.now());
      return; }
    if ((el = t.closest('.doc-remove'))) {
      var id = /(?:^|\\s)rm-([0-9a-f]+)/.exec(el.className);
      if (id) send('#remove-box', id[1] + '@' + Date.now()); return; }
    if ((el = t.closest('#documents button.sort'))) { sort(el); return; }
    if (t.closest('.skip-link')) { ev.preventDefault(); focusQuestion(); }
  }, true);
  document.addEventListener('change', function (ev) {
    if (ev.target && ev.target.classList && ev.target.classList.contains('doc-tick')) ticks();
  }, true);
  document.addEventListener('input', function (ev) {
    if (ev.target && ev.target.id === 'doc-search') search(ev.target);
  }, true);
  document.addEventListener('keydown', function (ev) {
    var t = ev.target, typing = t && (t.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (ev.key === '/' && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault(); focusQuestion(); }
    if (ev.key === 'Escape') document.querySelectorAll('.source-col.open')
      .forEach(function (c) { c.classList.remove('open'); });
  });
  var watched = new WeakSet();
  function cleanLabels(root) {
    root.querySelectorAll('[aria-label*="<"]').forEach(function (e) {
      var text = (e.innerText || e.textContent || '').replace(/\\s+/g, ' ').trim();
      var who = /^(user|bot|assistant)/i.exec(e.getAttribute('aria-label') || '');
      var label = (who ? who[1] + "'s message: " : '') + text;
      e.setAttribute('aria-label', label.length > 300 ? label.slice(0, 299) + '…' : label);
    });
  }
  new MutationObserver(function () {
    // Gradio's empty file box is a div with an aria-label and no role (not allowed)
    document.querySelectorAll('div.unpadded_box[aria-label]:not([role])')
      .forEach(function (d) { d.setAttribute('role', 'note'); });
    ['source-panel', 'brief-source-panel'].forEach(function (id) {
      var panel = document.getElementById(id);
      if (!panel || watched.has(panel)) return;
      watched.add(panel);
      new MutationObserver(function () {
        var now = panel.querySelector('.source');
        if (pending !== id || Date.now() > until || !now || now.outerHTML === before ||
            now.classList.contains('empty')) return;
        if (!!panel.querySelector('.passage.whole') !== whole) return;  // not the answer yet
        clearTimeout(timer);  // let the panel settle, then bring the highlight into view
        timer = setTimeout(function () { shown(panel); }, 120);
      }).observe(panel, {childList: true, subtree: true});
    });
    var chat = document.getElementById('chat');
    if (chat) cleanLabels(chat);
  }).observe(document.documentElement, {childList: true, subtree: true});
  // on a phone the conversation list starts folded (once, when it first appears)
  var folded = false;
  new MutationObserver(function (ms, obs) {
    var acc = document.querySelector('#conv-acc .label-wrap');
    if (!acc || folded) return;
    folded = true; obs.disconnect();
    if (window.innerWidth > 768) return;
    setTimeout(function () {  // once Gradio listens to it
      var a = document.querySelector('#conv-acc .label-wrap');
      if (a && a.classList.contains('open')) a.click();
    }, 400);
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>"""

CSS = """
:root, .gradio-container { --body-text-color-subdued: #5b5b66 !important;
  --block-info-text-color: #5b5b66 !important;
  --button-primary-background-fill: #c2410c !important;
  --button-primary-background-fill-hover: #9a3412 !important;
  --button-primary-text-color: #ffffff !important;
  --button-cancel-background-fill: #b91c1c !important;
  --button-cancel-background-fill-hover: #991b1b !important;
  --button-cancel-text-color: #ffffff !important; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
#skip { min-height: 0 !important; padding: 0 !important; border: 0 !important; }
.skip-link { position: fixed; left: 8px; top: -100px; z-index: 2000; padding: 8px 12px;
  background: var(--background-fill-primary); border: 2px solid var(--color-accent); }
.skip-link:focus { top: 8px; }
.cite { cursor: pointer; border: 1px solid var(--border-color-accent, #f97316);
  border-radius: 4px; padding: 0 4px; margin: 0 1px; font-size: 0.85em;
  background: var(--background-fill-secondary); color: var(--body-text-color); }
.cite:hover { background: var(--color-accent-soft, #ffedd5); }
.sources { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.source-card { text-align: left; max-width: 100%; }
.supported { color: #166534; } .flagged, .flag { color: #b91c1c; }
.sent.unsupported { text-decoration: underline dotted #b91c1c; }
.rewritten, .note, .scope, .coverage { font-size: 0.9em; }
#briefing h1 { font-size: 1.4em; } #briefing h2 { font-size: 1.15em; margin-top: 1em; }
#briefing blockquote { margin: 0.2em 0 0.2em 1em; padding-left: 0.6em;
  border-left: 3px solid var(--border-color-primary); }
#briefing .vs { margin-left: 1.5em; }
#chat-row, #brief-row { align-items: flex-start; }
.source-col { position: sticky; top: 8px; align-self: flex-start;
  max-height: calc(100vh - 16px); overflow-y: auto; }
.source-head h3 { margin: 0 0 4px; font-size: 1.05em; }
.source-meta { font-size: 0.85em; margin: 0 0 6px; overflow-wrap: anywhere; }
.source-actions { display: flex; gap: 8px; margin-bottom: 6px; }
.source-actions button { border: 1px solid var(--border-color-primary); border-radius: 4px;
  padding: 2px 8px; background: var(--background-fill-secondary); cursor: pointer; }
.panel-close { display: none; }
.passage { max-height: 55vh; overflow-y: auto; border: 1px solid var(--border-color-primary);
  padding: 8px 10px; border-radius: 6px; line-height: 1.5; }
.passage.whole { max-height: 70vh; }
.passage.plain p { white-space: pre-line; }
.passage p, .passage ul { margin: 0 0 0.6em; } .passage ul.item { padding-left: 1.2em; }
.passage h1, .passage h2, .passage h3, .passage h4 { font-size: 1.05em; margin: 0.6em 0 0.3em; }
.passage blockquote { border-left: 3px solid var(--border-color-primary); margin: 0 0 0.6em;
  padding-left: 0.6em; }
.passage mark.hl, .source mark.hl { background: #fde68a; color: #111; }
.pdf-page { margin: 0 0 8px; } .pdf-page img { width: 100%; height: auto;
  border: 1px solid var(--border-color-primary); }
.pdf-page figcaption { font-size: 0.8em; }
.note-box { padding: 6px 10px; border-radius: 6px; margin: 4px 0; }
.note-box.error { background: #fee2e2; color: #7f1d1d; border: 1px solid #fca5a5; }
.note-box.warn { background: #fef3c7; color: #78350f; border: 1px solid #fcd34d; }
.note-box.ok { background: #dcfce7; color: #14532d; border: 1px solid #86efac; }
.confirm { font-weight: 600; margin: 4px 8px; }
.progress { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.progress progress { flex: 0 0 220px; height: 14px; }
.scope-chip { font-size: 0.9em; margin: 4px 0; }
.scope-chip .chip { display: inline-block; padding: 2px 10px; border-radius: 999px;
  background: #dbeafe; color: #1e3a8a; border: 1px solid #93c5fd; }
.start { padding: 4px 2px; } .start h2 { font-size: 1.2em; margin: 0 0 4px; }
.suggestions { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.suggest { border: 1px solid var(--border-color-accent, #f97316); border-radius: 999px;
  padding: 4px 12px; background: var(--background-fill-secondary); cursor: pointer;
  text-align: left; }
.doc-tools { display: flex; gap: 8px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.doc-tools input { padding: 4px 8px; border: 1px solid var(--border-color-primary);
  border-radius: 4px; min-width: 16em; }
.doc-scroll { max-height: 520px; overflow: auto; }
table.docs { width: 100%; border-collapse: collapse; font-size: 0.9em; }
table.docs th, table.docs td { padding: 4px 6px; border-bottom: 1px solid
  var(--border-color-primary); text-align: left; vertical-align: top; }
table.docs thead th { position: sticky; top: 0; background: var(--background-fill-primary); }
table.docs td.title { min-width: 14em; } table.docs td.num { text-align: right; }
table.docs button.sort { font-weight: 600; background: none; border: 0; cursor: pointer;
  padding: 0; color: inherit; }
table.docs button.doc-remove { border: 1px solid #fca5a5; border-radius: 4px;
  background: none; color: #b91c1c; cursor: pointer; padding: 1px 6px; }
.light { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; vertical-align: middle; }
.light.green { background: #22c55e; } .light.red { background: #ef4444; }
.light.amber { background: #f59e0b; }
/* a model's text while the checker has not passed it: visibly not the answer yet */
.draft-label { margin: 0 0 4px; font-size: 0.85em; font-weight: 600; color: #92400e; }
.answer.draft { border-left: 3px dashed #f59e0b; padding-left: 8px; color: #4b5563;
  font-style: italic; }
.model-loading { margin: 0; color: #92400e; font-weight: 600; }
.stats td { padding: 2px 10px 2px 0; }
@media (max-width: 768px) {
  #chat-row { flex-direction: column; } #chat-col { order: -1; } #conv-col { order: 1; }
  #chat-col, #conv-col { width: 100%; min-width: 0 !important; }
  #chat { height: 34vh !important; min-height: 200px; }
  #start-here { order: 5; }  /* the question box first; the collection described below it */
  #backend-status .light-text { font-size: 0.8em; }
  #app-title { margin: 0; }
  .source-col { position: fixed; left: 0; right: 0; bottom: 0; top: auto; z-index: 1000;
    max-height: 78vh; margin: 0; padding: 8px; background: var(--background-fill-primary);
    border-top: 2px solid var(--color-accent); box-shadow: 0 -6px 24px rgba(0,0,0,0.25);
    transform: translateY(110%); transition: transform 0.2s; visibility: hidden; }
  .source-col.open { transform: none; visibility: visible; }
  .panel-close { display: inline-block; margin-left: auto; }
  .passage { max-height: 40vh; }
}
"""
