"""The Settings tab: the settings a user tunes while asking, saved to config.toml.

``EDITABLE`` is the one list of settings names in the web package (with ``engine.py``): a
dotted name ("retrieval.top_k") reads a sub-setting and is saved in that table.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from dossier.settings import Settings, keys, value_of
from dossier.web.config_file import env_overrides, write_config
from dossier.web.engine import Engine
from dossier.web.handlers import guarded
from dossier.web.html import note

# The settings the tab edits, in the order of ``layout``; Save writes these keys only.
EDITABLE = ("retrieval.top_k", "retrieval.dense_weight", "answer.support_threshold",
            "answer.unsupported", "llm.openai_base_url", "llm.openai_model",
            "llm.ollama_base_url", "llm.ollama_model")  # fmt: skip
WHOLE_NUMBERS = frozenset({"retrieval.top_k"})  # a gr.Number may hand back 6.0


def current(s: Settings) -> list[Any]:
    """The values of ``EDITABLE`` in ``s``."""
    return [value_of(s, key) for key in EDITABLE]


@guarded(0)
def save(engine: Engine, *values: Any) -> str:
    """Output: the note under the Save button (an invalid value is refused there)."""
    updates = {k: int(v) if k in WHOLE_NUMBERS else v
               for k, v in zip(EDITABLE, values, strict=True)}  # fmt: skip
    path = write_config(updates, engine.config_file())
    shadowed = env_overrides(EDITABLE)
    extra = f" ({', '.join(shadowed)} set in the environment still win)" if shadowed else ""
    return note(f"Saved {path}; the next question uses it{extra}.")


def refresh(engine: Engine) -> list[Any]:
    """The saved values, for a page loaded after a Save."""
    return current(engine.settings())


def layout(values: list[Any]) -> list[Any]:
    """The fields, one per ``EDITABLE`` key and in its order."""
    top_k, dense, threshold, unsupported, oa_url, oa_model, ol_url, ol_model = values
    helps = dict(keys())  # each field's help is its setting's own description
    info = [helps.get(k, "") for k in EDITABLE]
    fields = [
        gr.Number(top_k, label="Passages per answer (top_k)", precision=0,
                  info=info[0], elem_id="set-top-k"),
        gr.Slider(0, 1, dense, step=0.05, label="Dense weight in fusion", info=info[1]),
        gr.Slider(0, 1, threshold, step=0.01, label="Support threshold (below it: unsupported)",
                  info=info[2]),
        gr.Radio(["flag", "remove"], value=unsupported, label="Unsupported sentences",
                 info=info[3]),
    ]  # fmt: skip
    with gr.Row():
        fields.append(gr.Textbox(oa_url, label="OpenAI-compatible base URL", info=info[4]))
        fields.append(gr.Textbox(oa_model, label="OpenAI model", info=info[5]))
    with gr.Row():
        fields.append(gr.Textbox(ol_url, label="Ollama URL", info=info[6]))
        fields.append(gr.Textbox(ol_model, label="Ollama model", info=info[7],
                                 elem_id="set-ollama-model"))  # fmt: skip
    return fields


def tab(engine: Engine) -> list[Any]:
    """The Settings tab; returns its fields (a page load refills them with ``refresh``)."""
    with gr.Tab("Settings", id="settings", elem_id="tab-settings"):
        fields = layout(current(engine.settings()))
        save_btn = gr.Button("Save", variant="primary", elem_id="save-settings")
        saved = gr.HTML(elem_id="settings-note")
    save_btn.click(partial(save, engine), fields, saved, api_visibility="private")
    return fields
