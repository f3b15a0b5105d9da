"""llama.cpp, in process, through `xllamacpp`.

xllamacpp embeds llama.cpp's own C++ server (continuous batching, one slot per
parallel request, grammar-constrained JSON via llguidance). Its `handle_*` calls
block, release the GIL and are thread-safe, so the HTTP layer runs each request
in a worker thread. Token counting (for `context_length_exceeded`) uses the
embedded server's `/apply-template` and `/tokenize` on loopback, protected by a
random key so nobody else can use that internal port.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Callable

import httpx

from .errors import APIError

DEFAULT_CTX_PER_SLOT = 8192


def _physical_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def llama_params(model_path: str | Path, *, parallel: int = 4, ctx_per_slot: int = DEFAULT_CTX_PER_SLOT,
                 threads: int | None = None):
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
    # the CPU from the embedder and the HTTP layer in this same process.
    params.cpuparams.poll = 0
    params.cpuparams_batch.poll = 0
    params.endpoint_metrics = False
    # The API answers a conversation ending in an assistant message with a new
    # message; llama.cpp would otherwise continue ("prefill") that last message.
    params.prefill_assistant = False
    params.sampling.top_k = 40
    params.sampling.min_p = 0.05
    return params


class ChatEngine:
    """One GGUF chat model served by llama.cpp with `parallel` slots."""

    def __init__(self, model_path: str | Path, *, parallel: int = 4, ctx_per_slot: int = DEFAULT_CTX_PER_SLOT,
                 threads: int | None = None):
        import xllamacpp as xlc

        self.model_path = Path(model_path)
        self.model_id = self.model_path.stem.replace(".", "-")
        self.parallel = parallel
        self._internal_key = secrets.token_urlsafe(24)
        params = llama_params(self.model_path, parallel=parallel, ctx_per_slot=ctx_per_slot, threads=threads)
        params.api_keys = [self._internal_key]
        self.server = xlc.Server(params)
        self.base_url = self.server.listening_address
        self._http = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self._internal_key}"}, timeout=60)
        props = self._http.get("/props").json()
        self.n_ctx = int(props.get("default_generation_settings", {}).get("n_ctx") or ctx_per_slot)
        # Whether the model's chat template renders `tools` and `tool_calls` itself (Qwen2.5 does, SmolLM2 does not).
        self.template_has_tools = bool((props.get("chat_template_caps") or {}).get("supports_tool_calls"))

    # ---- token counting -------------------------------------------------
    def count_chat_prompt(self, messages: list[dict[str, Any]]) -> int:
        r = self._http.post("/apply-template", json={"messages": messages})
        r.raise_for_status()
        return self.count_text(r.json()["prompt"], add_special=False)

    def count_text(self, text: str, *, add_special: bool = True) -> int:
        return len(self.tokenize(text, add_special=add_special))

    def tokenize(self, text: str, *, add_special: bool = False) -> list[int]:
        r = self._http.post("/tokenize", json={"content": text, "add_special": add_special, "parse_special": True})
        r.raise_for_status()
        return r.json()["tokens"]

    def apply_template(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> str:
        """The prompt text the model's own chat template makes of these messages (and tools)."""
        body: dict[str, Any] = {"messages": messages}
        if tools:
            body["tools"] = tools
        r = self._http.post("/apply-template", json=body)
        if r.status_code >= 400:
            raise APIError(400, f"The local model cannot process these messages: {r.text[:300]}", f"本地模型无法处理这些消息：{r.text[:300]}",
                           param="messages", code="invalid_value")
        return r.json()["prompt"]

    # ---- generation -----------------------------------------------------
    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        return _checked(_call(self.server.handle_chat_completions, request))

    def chat_stream(self, request: dict[str, Any], on_chunk: Callable[[dict[str, Any]], bool | None]) -> None:
        _checked(_call(self.server.handle_chat_completions, request, on_chunk))

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        return _checked(_call(self.server.handle_completions, request))

    def complete_stream(self, request: dict[str, Any], on_chunk: Callable[[dict[str, Any]], bool | None]) -> None:
        _checked(_call(self.server.handle_completions, request, on_chunk))

    def close(self) -> None:
        self._http.close()


def engine_error(err: dict[str, Any]) -> APIError:
    """Turn a llama.cpp error object into the OpenAI error the real API would give."""
    status = int(err.get("code") or 500)
    message = str(err.get("message") or "llama.cpp error")
    if err.get("type") == "exceed_context_size_error":
        n_prompt, n_ctx = err.get("n_prompt_tokens"), err.get("n_ctx")
        return APIError(
            400,
            f"This model's maximum context length is {n_ctx} tokens. However, your messages resulted in {n_prompt} tokens. "
            "Please reduce the length of the messages.",
            f"该模型的最大上下文长度是 {n_ctx} 个词元（token），而你的消息有 {n_prompt} 个词元。请缩短消息。",
            param="messages", code="context_length_exceeded")
    if 400 <= status < 500:
        return APIError(400, f"The local model rejected the request: {message}", f"本地模型拒绝了该请求：{message}",
                        code="invalid_value")
    return APIError(500, f"The local model failed: {message}", f"本地模型出错：{message}", type="server_error")


def _call(fn, *args):
    """llama.cpp raises ValueError for inputs it cannot template: a client mistake, so a 400."""
    try:
        return fn(*args)
    except ValueError as e:
        raise APIError(400, f"The local model cannot process these messages: {e}", f"本地模型无法处理这些消息：{e}",
                       param="messages", code="invalid_value") from None


def _checked(result: Any) -> Any:
    if isinstance(result, dict) and "error" in result:
        raise engine_error(result["error"])
    return result
