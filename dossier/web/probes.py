"""Is a backend usable? The status light next to the backend picker.

Read from the backend registry (``assistant.llm.BACKENDS``). A model that runs in this
process (``local``) is usable only once it has really loaded here (its loader's state:
installed modules and weights on disk are not enough); one with a server, when its extra is
installed and its configured URL answers one short probe, made only when it is picked.
"""

from __future__ import annotations

import importlib.util
import urllib.error
import urllib.request

from assistant.llm import BACKENDS, ModelSettings

PROBE_TIMEOUT_S = 1.0


def backend_status(cfg: ModelSettings) -> tuple[bool, str]:
    """(usable, message) for the [llm] settings; network backends get one 1-second probe."""
    kind = BACKENDS.get(cfg.backend)
    if kind is None:
        return False, f"unknown backend '{cfg.backend}'"
    if kind.factory is None:
        return True, f"{kind.name}: ready (no model needed)"
    if kind.loader is not None:  # loaded in this process: green only once it has loaded
        state = kind.loader(cfg).state()
        return state.ready, f"{kind.name}: {state.message()}"
    missing = [m for m in kind.modules if not _installed(m)]
    if missing:
        return False, f"{kind.name}: not installed ({', '.join(missing)}; extra '{kind.extra}')"
    if kind.probe_url is None:
        return True, f"{kind.name}: installed ({kind.description}; loads on the first question)"
    return probe(kind.name, kind.probe_url(cfg))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package, or a broken install
        return False


def probe(name: str, url: str) -> tuple[bool, str]:
    """Does anything answer HTTP at ``url``? Any reply, even an error status, counts."""
    if not url.startswith(("http://", "https://")):
        return False, f"{name}: not an http(s) URL: {url}"
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as reply:
            return True, f"{name}: reachable at {url} (HTTP {reply.status})"
    except urllib.error.HTTPError as err:  # it answered: the server is there
        return True, f"{name}: reachable at {url} (HTTP {err.code})"
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return False, f"{name}: unreachable at {url} ({reason}); answers will fall back"
