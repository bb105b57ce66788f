"""The running app driven over HTTP as a browser or a script would, with no browser: the
public /ask API (``/gradio_api/call/ask``) and any page event through Gradio's queue
(``/gradio_api/queue/join``, found by the ``elem_id`` of the button that triggers it). Used
by tests/test_app_load.py and bench/app_load.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx


def _sse(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream (event is '' when unnamed)."""
    event = ""
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            yield event, line[5:].strip()
            event = ""


def ask(http: httpx.Client, base: str, question: str, collection: str = "",
        **more: Any) -> dict[str, Any]:  # fmt: skip
    """One question through the /ask API (other parameters by name, the rest their
    defaults, as gradio_client fills them); the answer dict. RuntimeError if the app says
    the call failed."""
    given = {"question": question, "collection": collection, **more}
    data = [given.get(p["parameter_name"], p.get("parameter_default")) for p in _params(http, base)]
    r = http.post(f"{base}gradio_api/call/ask", json={"data": data})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    with http.stream("GET", f"{base}gradio_api/call/ask/{event_id}") as stream:
        stream.raise_for_status()
        for event, data in _sse(stream):
            if event == "complete":
                return dict(json.loads(data)[0])
            if event == "error":
                raise RuntimeError(f"/ask failed: {data}")
    raise RuntimeError("/ask: the stream ended without an answer")


_PARAMS: dict[str, list[dict[str, Any]]] = {}


def _params(http: httpx.Client, base: str) -> list[dict[str, Any]]:
    """The /ask API's parameters, in order, as the app describes them (read once)."""
    if base not in _PARAMS:
        info = http.get(f"{base}gradio_api/info").json()
        _PARAMS[base] = info["named_endpoints"]["/ask"]["parameters"]
    return _PARAMS[base]


def event_index(config: dict[str, Any], trigger_elem_id: str) -> dict[str, Any]:
    """The event (a config 'dependencies' entry) that ``#trigger_elem_id`` fires, with its
    trigger's component id under 'trigger'."""
    ids = {c["id"] for c in config["components"]
           if c.get("props", {}).get("elem_id") == trigger_elem_id}  # fmt: skip
    for dep in config["dependencies"]:
        for target, _ in dep["targets"]:
            if target in ids:
                return {**dep, "trigger": target}
    raise LookupError(f"no event is triggered by #{trigger_elem_id}")


def run_event(http: httpx.Client, base: str, trigger_elem_id: str,
              values: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """Run the event ``#trigger_elem_id`` fires, through the queue as the page does, to the
    end; its 'process_completed' message (``success``, ``output``). Inputs take ``values``
    by their elem_id, the others their initial value."""
    config = http.get(f"{base}config").json()
    dep = event_index(config, trigger_elem_id)
    by_id = {c["id"]: c.get("props", {}) for c in config["components"]}
    data = [values.get(by_id[i].get("elem_id"), by_id[i].get("value")) for i in dep["inputs"]]
    session = uuid.uuid4().hex
    body = {"data": data, "fn_index": dep["id"], "trigger_id": dep["trigger"],
            "session_hash": session, "event_data": None}  # fmt: skip
    http.post(f"{base}gradio_api/queue/join", json=body).raise_for_status()
    with http.stream("GET", f"{base}gradio_api/queue/data",
                     params={"session_hash": session}) as stream:  # fmt: skip
        stream.raise_for_status()
        for _, line in _sse(stream):
            message = json.loads(line)
            if message.get("msg") == "process_completed":
                return dict(message)
    raise RuntimeError(f"#{trigger_elem_id}: the queue stream ended before the event did")
