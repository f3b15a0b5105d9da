"""llama.cpp, in process, through `xllamacpp`.

xllamacpp embeds llama.cpp's own C++ server (continuous batching, one slot per
parallel request, grammar-constrained JSON via llguidance). Its `handle_*` calls
block, release the GIL and are thread-safe, so the HTTP layer runs each request
in a worker thread. Token counting (for `context_length_exceeded`) uses the
embedded server's `/apply-template` and `/tokenize` on loopback, protected by a
random key so nobody else can use that internal port.

What comes out of this module is OpenAI-shaped: llama.cpp's extra fields
(`timings`, token `id`s, `reasoning_content` ...) are dropped here and its error
objects become `APIError`s, so no llama.cpp detail reaches the routes.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .. import errors
from ..config import DEFAULT_CTX_PER_SLOT, DEFAULT_PARALLEL, MAX_LLAMA_THREADS

OnChunk = Callable[[dict[str, Any]], bool]


def _physical_threads() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_LLAMA_THREADS))


def llama_params(model_path: str | Path, *, parallel: int = DEFAULT_PARALLEL, ctx_per_slot: int = DEFAULT_CTX_PER_SLOT, threads: int | None = None):
    """llama.cpp settings of the course server (the benchmark's baseline uses the same)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model_path)
    params.n_parallel = parallel
    params.n_ctx = ctx_per_slot * parallel
    params.kv_unified = False
    n = threads or _physical_threads()
    params.cpuparams.n_threads = n
    params.cpuparams_batch.n_threads = n
    # No busy-wait polling between llama.cpp jobs: spinning threads would steal
    # the CPU from the encoder and the HTTP layer in this same process.
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.endpoint_metrics = False
    # llama.cpp's memory fitting probes the devices to shrink the context or the GPU offload
    # until the model fits: 1.2 s of every start on a 2-core laptop (0.5 vs 1.7 s to load
    # qwen0.5b), for a model and context that fit in a fraction of any machine's memory.
    params.fit_params = False
    # The API answers a conversation ending in an assistant message with a new
    # message; llama.cpp would otherwise continue ("prefill") that last message.
    params.prefill_assistant = False
    params.sampling.top_k = 40
    params.sampling.min_p = 0.05
    return params


class ChatEngine:
    """One GGUF chat model served by llama.cpp with `parallel` slots.

    Requests are OpenAI chat/completions request bodies; results and stream chunks
    carry only OpenAI fields (`choices`, `usage`)."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        model_id: str | None = None,
        parallel: int = DEFAULT_PARALLEL,
        ctx_per_slot: int = DEFAULT_CTX_PER_SLOT,
        threads: int | None = None,
    ):
        import xllamacpp as xlc

        self.model_path = Path(model_path)
        self.model_id = model_id or self.model_path.stem.lower()
        # `system_fingerprint` names the backend and the local model that answered (the API's is an opaque fp_...).
        self.fingerprint = "fp_llamacpp_" + re.sub(r"[^a-z0-9.]+", "-", self.model_path.stem.lower())
        self.parallel = parallel
        self._internal_key = secrets.token_urlsafe(24)
        params = llama_params(self.model_path, parallel=parallel, ctx_per_slot=ctx_per_slot, threads=threads)
        params.api_keys = [self._internal_key]
        self._server = xlc.Server(params)
        self._http = httpx.Client(base_url=self._server.listening_address, headers={"Authorization": f"Bearer {self._internal_key}"}, timeout=60)
        props = self._http.get("/props").json()
        self.n_ctx = int(props.get("default_generation_settings", {}).get("n_ctx") or ctx_per_slot)
        # Whether the model's chat template renders `tools` and `tool_calls` itself (Qwen2.5's does, SmolLM2's does not).
        self.template_has_tools = bool((props.get("chat_template_caps") or {}).get("supports_tool_calls"))

    # ---- token counting -------------------------------------------------
    def count_chat_prompt(self, messages: list[dict[str, Any]]) -> int:
        r = self._http.post("/apply-template", json={"messages": messages})
        if r.status_code >= 400:  # the chat template cannot render these messages: the client's to fix
            raise errors.model_cannot_template(r.text[:200])
        return self.count_text(r.json()["prompt"], add_special=False)

    def count_text(self, text: str, *, add_special: bool = True) -> int:
        return len(self.tokenize(text, add_special=add_special))

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        r = self._http.post("/tokenize", json={"content": text, "add_special": add_special, "parse_special": True})
        r.raise_for_status()
        return r.json()["tokens"]

    def apply_template(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> str:
        """The prompt text the model's own chat template makes of these messages (and tools)."""
        body: dict[str, Any] = {"messages": messages, **({"tools": tools} if tools else {})}
        r = self._http.post("/apply-template", json=body)
        if r.status_code >= 400:
            raise errors.model_cannot_template(r.text[:300])
        return r.json()["prompt"]

    # ---- generation -----------------------------------------------------
    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        top = _top_logprobs(request)
        return _clean_result(_checked(_call(self._server.handle_chat_completions, _for_llama(request))), "message", top)

    def chat_stream(self, request: dict[str, Any], on_chunk: OnChunk) -> None:
        self._stream(self._server.handle_chat_completions, request, on_chunk, "delta")

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        return _clean_result(_checked(_call(self._server.handle_completions, request)), "text", None)

    def complete_stream(self, request: dict[str, Any], on_chunk: OnChunk) -> None:
        self._stream(self._server.handle_completions, request, on_chunk, "text")

    def _stream(self, handle, request: dict[str, Any], on_chunk: OnChunk, part: str) -> None:
        """Calls `on_chunk` with each clean chunk (it returns True to stop); an engine error is raised."""
        top = _top_logprobs(request) if part == "delta" else None
        failure: list[dict[str, Any]] = []

        def relay(raw: dict[str, Any]) -> bool:
            if "error" in raw:
                failure.append(raw["error"])
                return True
            return bool(on_chunk(_clean_result(raw, part, top)))

        _checked(_call(handle, _for_llama(request) if part == "delta" else request, relay))
        if failure:
            raise engine_error(failure[0])

    def close(self) -> None:
        self._http.close()


def _top_logprobs(request: dict[str, Any]) -> int | None:
    return int(request.get("top_logprobs") or 0) if request.get("logprobs") else None


def _for_llama(request: dict[str, Any]) -> dict[str, Any]:
    """llama.cpp returns no logprobs at all for top_logprobs=0; ask for one and trim it off."""
    if request.get("logprobs") and not request.get("top_logprobs"):
        return {**request, "top_logprobs": 1}
    return request


def _clean_logprob(entry: dict[str, Any], top: int | None) -> dict[str, Any]:
    out = {"token": entry.get("token", ""), "logprob": entry.get("logprob", 0.0), "bytes": entry.get("bytes")}
    if top is not None:
        out["top_logprobs"] = [_clean_logprob(t, None) for t in (entry.get("top_logprobs") or [])[:top]]
    return out


def _clean_choice(c: dict[str, Any], part: str, top: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"index": c.get("index", 0), "finish_reason": c.get("finish_reason")}
    if part == "text":
        out["text"] = c.get("text") or ""
        out["logprobs"] = None
    else:
        msg = c.get(part) or {}
        out[part] = {k: msg[k] for k in ("role", "content", "tool_calls", "function_call", "refusal") if k in msg}
        lp = c.get("logprobs")
        out["logprobs"] = {"content": [_clean_logprob(e, top) for e in lp.get("content") or []], "refusal": None} if lp and top is not None else None
    return out


def _clean_result(raw: dict[str, Any], part: str, top: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"choices": [_clean_choice(c, part, top) for c in raw.get("choices") or []]}
    if raw.get("usage"):
        u = raw["usage"]
        out["usage"] = {
            "prompt_tokens": u.get("prompt_tokens", 0),
            "completion_tokens": u.get("completion_tokens", 0),
            "cached_tokens": (u.get("prompt_tokens_details") or {}).get("cached_tokens", 0),
        }
    return out


def engine_error(err: dict[str, Any]) -> errors.APIError:
    """Turn a llama.cpp error object into the OpenAI error the real API would give."""
    status = int(err.get("code") or 500)
    message = str(err.get("message") or "llama.cpp error")
    if err.get("type") == "exceed_context_size_error":
        return errors.context_length_exceeded(int(err.get("n_ctx") or 0), int(err.get("n_prompt_tokens") or 0))
    if 400 <= status < 500:
        return errors.model_rejected(message)
    return errors.model_failed(message)


def _call(fn, *args):
    """llama.cpp raises ValueError for inputs it cannot template: a client mistake, so a 400."""
    try:
        return fn(*args)
    except ValueError as e:
        raise errors.model_cannot_template(str(e)) from None


def _checked(result: Any) -> Any:
    if isinstance(result, dict) and "error" in result:
        raise engine_error(result["error"])
    return result
