"""From a validated OpenAI chat/completions request to engine requests (a `Plan`).

Synchronous and side-effect free except the engine's token counting, so the
pipeline runs it in a worker thread. What it adds over llama.cpp: OpenAI's
defaults and checks (`context_length_exceeded`, the `json_object` "must mention
JSON" rule, output caps), and `n` done as n real generations so `usage` counts
every token.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .engines.llama import ChatEngine
from .specs import normalize_content
from .tools import chat as tool_chat

LEGACY_DEFAULT_MAX_TOKENS = 16  # /v1/completions' default


def new_id(prefix: str, sep: str = "-") -> str:
    return f"{prefix}{sep}{secrets.token_urlsafe(18).replace('-', 'x').replace('_', 'y')}"


@dataclass
class Plan:
    """A validated request, ready for the engine: one engine request per choice."""

    requests: list[dict[str, Any]]
    model_id: str
    stream: bool
    include_usage: bool
    id: str
    prompts: list[str] = field(default_factory=list)  # the prompt text of each request (limits, echo)
    fingerprint: str = ""  # system_fingerprint: the local backend and model
    extra: dict[str, Any] = field(default_factory=dict)  # what an endpoint needs again after generating
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def max_output(self) -> int:
        return sum(r["max_tokens"] for r in self.requests)


def engine_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, m in enumerate(messages):
        # `developer` is the newer name of `system` (o1 and later); chat templates of
        # open models only know `system`. `function` is the pre-tools name of `tool`.
        role = {"developer": "system", "function": "tool"}.get(m["role"], m["role"])
        content = normalize_content(m.get("content"), f"messages[{i}].content", allowed_parts=("text", "refusal"), required=False)
        msg: dict[str, Any] = {"role": role, "content": content or ""}
        for key in ("tool_calls", "tool_call_id", "name"):
            if m.get(key) is not None:
                msg[key] = m[key]
        out.append(msg)
    return out


def _upper_bound_tokens(messages: list[dict[str, Any]]) -> int:
    """Never below the true count: a byte-level BPE token covers at least one byte."""
    return sum(len((m.get("content") or "").encode()) + 8 for m in messages) + 16


def _sampling(body: dict[str, Any]) -> dict[str, Any]:
    req: dict[str, Any] = {"temperature": body.get("temperature", 1.0), "top_p": body.get("top_p", 1.0)}  # OpenAI's defaults
    for key in ("presence_penalty", "frequency_penalty", "seed"):
        if key in body:
            req[key] = body[key]
    if "seed" in body:
        # llama.cpp reuses the KV cache of an earlier prompt by default; the reused logits are not
        # bit-identical to freshly computed ones, so the same seed could sample another text.
        req["cache_prompt"] = False
    stop = body.get("stop")
    if stop:
        req["stop"] = [stop] if isinstance(stop, str) else list(stop)
    return req


def _fan_out(base: dict[str, Any], n: int) -> list[dict[str, Any]]:
    reqs = []
    for i in range(n):
        r = dict(base)
        if "seed" in r and i:
            r["seed"] = r["seed"] + i  # same seed → same text; each choice needs its own
        reqs.append(r)
    return reqs


def check_output_cap(value: int | None, param: str, cap: int) -> None:
    """Like a real model's maximum output, a class server may cap tokens per answer."""
    if value is not None and value > cap:
        raise errors.output_cap_exceeded(param, value, cap)


def _response_format(rf: dict[str, Any]) -> dict[str, Any] | None:
    if rf.get("type") == "json_object":
        return {"type": "json_object"}
    if rf.get("type") == "json_schema":
        js = rf["json_schema"]
        return {"type": "json_schema", "json_schema": {"name": js["name"], "schema": js.get("schema") or {"type": "object"}}}
    return None


def plan_chat(body: dict[str, Any], model_id: str, engine: ChatEngine, default_max_tokens: int, output_cap: int, id_prefix: str = "chatcmpl") -> Plan:
    tools = tool_chat.read(body)  # tools, tool_choice, legacy functions and tool messages, as the API checks them
    messages = engine_messages(tool_chat.legacy_to_tool_messages(body["messages"]))
    rf = body.get("response_format") or {"type": "text"}
    if rf.get("type") == "json_object" and not any("json" in (m["content"] or "").lower() for m in messages):
        raise errors.json_mode_needs_json_word()
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise errors.top_logprobs_needs_logprobs()
    for param in ("max_tokens", "max_completion_tokens"):
        check_output_cap(body.get(param), param, output_cap)
    requested = body.get("max_completion_tokens", body.get("max_tokens"))
    if tool_chat.generates_calls(tools, body["messages"]):
        stream = bool(body.get("stream"))
        base = tool_chat.tool_request(engine, messages, tools, requested, min(default_max_tokens, output_cap), _sampling(body), stream)
        plan = Plan(
            _fan_out(base, body.get("n", 1)),
            model_id,
            stream,
            bool((body.get("stream_options") or {}).get("include_usage")),
            new_id(id_prefix),
            [base["prompt"]],
            engine.fingerprint,
        )
        plan.extra["tools"] = tools
        plan.extra["tool_streams"] = tool_chat.ChoiceStreams(tools, len(plan.requests)) if stream else None
        return plan
    if messages[-1]["role"] == "tool":
        messages = tool_chat.results_as_text(messages)
    max_tokens = _fit_context(messages, requested, engine, min(default_max_tokens, output_cap))

    base: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, **_sampling(body)}
    fmt = _response_format(rf)
    if fmt:
        base["response_format"] = fmt
    if body.get("logprobs"):
        base["logprobs"] = True
        base["top_logprobs"] = body.get("top_logprobs") or 0
    # No `tools` for llama.cpp: tool_choice "none" means a text answer, and a tool list in the prompt
    # makes small models write calls anyway (calls go through helpers/local/tools instead).
    stream = bool(body.get("stream"))
    if stream:
        base["stream"] = True
        base["stream_options"] = {"include_usage": True}  # always counted; shown only if asked
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    prompt_texts = [m.get("content") or "" for m in messages]
    return Plan(_fan_out(base, body.get("n", 1)), model_id, stream, include_usage, new_id(id_prefix), prompt_texts, engine.fingerprint)


def _fit_context(messages: list[dict[str, Any]], requested: int | None, engine: ChatEngine, default_max_tokens: int) -> int:
    """OpenAI refuses prompt + max_tokens > context; with no max_tokens it generates
    until the context is full (here: at most `default_max_tokens`)."""
    wanted = requested if requested is not None else default_max_tokens
    if _upper_bound_tokens(messages) + wanted <= engine.n_ctx:
        return wanted
    prompt = engine.count_chat_prompt(messages)
    if requested is None:
        if prompt >= engine.n_ctx:
            raise errors.context_length_exceeded(engine.n_ctx, prompt)
        return min(wanted, engine.n_ctx - prompt)
    if prompt + requested > engine.n_ctx:
        raise errors.context_length_exceeded(engine.n_ctx, prompt, requested)
    return requested


def plan_completion(body: dict[str, Any], model_id: str, engine: ChatEngine, output_cap: int) -> Plan:
    prompt = body["prompt"]
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if not prompts or not all(isinstance(p, str) for p in prompts):
        raise errors.invalid(
            "Invalid 'prompt': the offline server accepts a string or an array of strings (token-id prompts need the model's own tokenizer).",
            "'prompt' 无效：离线服务器只接受字符串或字符串数组。",
            param="prompt",
            code="invalid_value",
        )
    if body.get("logprobs") or body.get("suffix") or body.get("best_of", 1) > 1:
        raise errors.invalid(
            "logprobs, suffix and best_of are not supported by the offline server on /v1/completions; use /v1/chat/completions (it has logprobs).",
            "离线服务器的 /v1/completions 不支持 logprobs、suffix、best_of；请改用 /v1/chat/completions。",
            param=None,
            code="invalid_value",
        )
    check_output_cap(body.get("max_tokens"), "max_tokens", output_cap)
    max_tokens = body.get("max_tokens", LEGACY_DEFAULT_MAX_TOKENS)
    base = {"max_tokens": max_tokens, **_sampling(body)}
    reqs = []
    for p in prompts:
        if len(p.encode()) + 16 + max_tokens > engine.n_ctx:
            n_prompt = engine.count_text(p)
            if n_prompt + max_tokens > engine.n_ctx:
                raise errors.context_length_exceeded(engine.n_ctx, n_prompt, max_tokens, param="prompt", what_en="your prompt", what_zh="你的提示")
        reqs.extend(_fan_out({**base, "prompt": p}, body.get("n", 1)))
    stream = bool(body.get("stream"))
    if stream:
        for r in reqs:
            r["stream"] = True
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return Plan(reqs, model_id, stream, include_usage, new_id("cmpl"), [r["prompt"] for r in reqs], engine.fingerprint)


def estimate_prompt_tokens(texts: list[str]) -> int:
    """Cheap up-front estimate for token-per-minute limits (≈4 bytes per token)."""
    return sum(len(t.encode()) for t in texts) // 4 + 1
