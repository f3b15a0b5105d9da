"""From an OpenAI chat/completions request to llama.cpp requests and back.

Everything here is synchronous and side-effect free except the engine calls,
so the HTTP layer can run it in worker threads. What it adds over llama.cpp:
OpenAI's defaults and checks (`context_length_exceeded`, the `json_object`
"must mention JSON" rule), `n` done as n real generations so `usage` counts
every token, and responses reshaped to OpenAI's exact fields.
"""
from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .chat_engine import ChatEngine
from .errors import APIError, invalid
from .specs import normalize_content
from .tools import chat as tool_chat
from .tools import generation as tool_generation
from .tools.request import ToolRequest


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(18).replace('-', 'x').replace('_', 'y')}"


SYSTEM_FINGERPRINT = "fp_offline_llamacpp"


@dataclass
class Plan:
    """A validated request, ready for the engine: one llama.cpp request per choice."""

    requests: list[dict[str, Any]]
    model_id: str
    stream: bool
    include_usage: bool
    id: str
    created: int = field(default_factory=lambda: int(time.time()))
    prompt_tokens: int | None = None
    tools: ToolRequest | None = None  # set when the model may call tools: requests are then raw-prompt completions
    tool_streams: tool_chat.ChoiceStreams | None = None
    tool_words: str = ""  # what the user wrote, to tell a grounded call from a reflex (see tools/generation.py)

    def prompt_texts(self) -> list[str]:
        """The prompt's text, for the up-front token estimate of rate limits."""
        first = self.requests[0]
        return [first["prompt"]] if "prompt" in first else [m.get("content") or "" for m in first["messages"]]

    def generate_with(self, engine: ChatEngine, *, stream: bool = False):
        """The engine call for these requests: chat, or completion of a rendered tool prompt."""
        if self.tools is not None:
            fn = tool_generation.complete_stream if stream else tool_generation.complete
            return functools.partial(fn, engine, self.tools, self.tool_words)
        return engine.chat_stream if stream else engine.chat


def _llama_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, m in enumerate(messages):
        role = m["role"]
        # `developer` is the newer name of `system` (o1 and later); chat templates of
        # open models only know `system`. `function` is the pre-tools name of `tool`.
        llama_role = {"developer": "system", "function": "tool"}.get(role, role)
        content = normalize_content(m.get("content"), f"messages[{i}].content", allowed_parts=("text", "refusal"), required=False)
        msg: dict[str, Any] = {"role": llama_role, "content": content or ""}
        for key in ("tool_calls", "tool_call_id", "name"):
            if m.get(key) is not None:
                msg[key] = m[key]
        out.append(msg)
    return out


def _upper_bound_tokens(messages: list[dict[str, Any]]) -> int:
    """Never below the true count: a byte-level BPE token covers at least one byte."""
    return sum(len((m.get("content") or "").encode()) + 8 for m in messages) + 16


def _sampling(body: dict[str, Any]) -> dict[str, Any]:
    req: dict[str, Any] = {
        "temperature": body.get("temperature", 1.0),  # OpenAI's default
        "top_p": body.get("top_p", 1.0),
    }
    for key in ("presence_penalty", "frequency_penalty", "seed"):
        if key in body:
            req[key] = body[key]
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
        raise invalid(f"{param} is too large: {value}. This model supports at most {cap} completion tokens, whereas you provided {value}.",
                      f"{param} 太大：{value}。该模型每次最多输出 {cap} 个词元。", param=param, code="invalid_value")


def plan_chat(body: dict[str, Any], model_id: str, engine: ChatEngine, default_max_tokens: int, output_cap: int) -> Plan:
    tools = tool_chat.read(body)
    messages = _llama_messages(tool_chat.legacy_to_tool_messages(body["messages"]))
    rf = body.get("response_format") or {"type": "text"}
    if rf.get("type") == "json_object" and not any("json" in (m["content"] or "").lower() for m in messages):
        raise invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                      "使用 json_object 类型的 response_format 时，messages 里必须出现单词 'json'。",
                      param="messages", code=None)
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise invalid("Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
                      "使用 top_logprobs 时必须同时设置 logprobs 为 true。", param="top_logprobs", code="invalid_value")
    for param in ("max_tokens", "max_completion_tokens"):
        check_output_cap(body.get(param), param, output_cap)
    requested = body.get("max_completion_tokens", body.get("max_tokens"))
    if tool_chat.generates_calls(tools, body["messages"]):
        return _plan_tools(body, messages, tools, model_id, engine, requested, min(default_max_tokens, output_cap))
    if messages[-1]["role"] == "tool":
        messages = tool_chat.results_as_text(messages)
    max_tokens = _fit_context(messages, requested, engine, min(default_max_tokens, output_cap))

    base: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, **_sampling(body)}
    if rf.get("type") == "json_object":
        base["response_format"] = {"type": "json_object"}
    elif rf.get("type") == "json_schema":
        js = rf["json_schema"]
        base["response_format"] = {"type": "json_schema", "json_schema": {"name": js["name"], "schema": js.get("schema") or {"type": "object"}}}
    if body.get("logprobs"):
        base["logprobs"] = True
        base["top_logprobs"] = body.get("top_logprobs") or 0
    # No `tools` for llama.cpp here: with tool_choice "none" the model must answer in text,
    # and a tool list in the prompt makes small models write calls anyway.
    stream = bool(body.get("stream"))
    if stream:
        base["stream"] = True
        base["stream_options"] = {"include_usage": True}  # always counted; shown only if asked
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return Plan(_fan_out(base, body.get("n", 1)), model_id, stream, include_usage, new_id("chatcmpl"))


def _plan_tools(body: dict[str, Any], messages: list[dict[str, Any]], tools: ToolRequest, model_id: str, engine: ChatEngine,
                requested: int | None, default_max_tokens: int) -> Plan:
    """The model may call tools: one completion of the rendered prompt per choice (see helpers/local/tools)."""
    prompt = tool_chat.render_prompt(engine, messages, tools)
    max_tokens = _fit_prompt(prompt, requested, engine, default_max_tokens)
    base = tool_chat.completion_request(engine, prompt, tools, {"max_tokens": max_tokens, **_sampling(body)})
    n = body.get("n", 1)
    stream = bool(body.get("stream"))
    if stream:
        base["stream"] = True
        base["stream_options"] = {"include_usage": True}
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return Plan(_fan_out(base, n), model_id, stream, include_usage, new_id("chatcmpl"), tools=tools,
                tool_streams=tool_chat.ChoiceStreams(tools, n) if stream else None,
                tool_words=tool_generation.user_words(messages))


def _fit_prompt(prompt: str, requested: int | None, engine: ChatEngine, default_max_tokens: int) -> int:
    wanted = requested if requested is not None else default_max_tokens
    if len(prompt.encode()) + wanted <= engine.n_ctx:
        return wanted
    n_prompt = engine.count_text(prompt, add_special=False)
    if requested is None and n_prompt < engine.n_ctx:
        return min(wanted, engine.n_ctx - n_prompt)
    if n_prompt + wanted > engine.n_ctx:
        raise context_error(engine.n_ctx, n_prompt, requested)
    return wanted


def _fit_context(messages: list[dict[str, Any]], requested: int | None, engine: ChatEngine, default_max_tokens: int) -> int:
    """OpenAI refuses prompt + max_tokens > context; with no max_tokens it generates
    until the context is full (here: at most `default_max_tokens`)."""
    wanted = requested if requested is not None else default_max_tokens
    if _upper_bound_tokens(messages) + wanted <= engine.n_ctx:
        return wanted
    prompt = engine.count_chat_prompt(messages)
    if requested is None:
        if prompt >= engine.n_ctx:
            raise context_error(engine.n_ctx, prompt, None)
        return min(wanted, engine.n_ctx - prompt)
    if prompt + requested > engine.n_ctx:
        raise context_error(engine.n_ctx, prompt, requested)
    return requested


def context_error(n_ctx: int, prompt: int, completion: int | None) -> APIError:
    if completion is None:
        en = (f"This model's maximum context length is {n_ctx} tokens. However, your messages resulted in {prompt} tokens. "
              "Please reduce the length of the messages.")
        zh = f"该模型的最大上下文长度是 {n_ctx} 个词元（token），而你的消息有 {prompt} 个词元。请缩短消息。"
    else:
        en = (f"This model's maximum context length is {n_ctx} tokens. However, you requested {prompt + completion} tokens "
              f"({prompt} in the messages, {completion} in the completion). Please reduce the length of the messages or completion.")
        zh = (f"该模型的最大上下文长度是 {n_ctx} 个词元，而你请求了 {prompt + completion} 个"
              f"（消息 {prompt} 个，输出上限 {completion} 个）。请缩短消息或减小 max_tokens。")
    return APIError(400, en, zh, param="messages", code="context_length_exceeded")


# ---- reshaping llama.cpp answers into OpenAI's --------------------------------

def _usage(parts: list[dict[str, Any]]) -> dict[str, Any]:
    prompt = max((u.get("prompt_tokens", 0) for u in parts), default=0)
    completion = sum(u.get("completion_tokens", 0) for u in parts)
    cached = max(((u.get("prompt_tokens_details") or {}).get("cached_tokens", 0) for u in parts), default=0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def merge_chat(plan: Plan, results: list[dict[str, Any]]) -> dict[str, Any]:
    if plan.tools is not None and not plan.stream:
        results = [tool_chat.to_chat_result(r, plan.tools) for r in results]
    choices = []
    for i, r in enumerate(results):
        c = dict(r["choices"][0])
        c["index"] = i
        msg = dict(c.get("message") or {})
        msg.setdefault("content", None)
        msg.setdefault("refusal", None)
        msg.setdefault("annotations", [])
        msg.pop("reasoning_content", None)
        c["message"] = msg
        c.setdefault("logprobs", None)
        choices.append(c)
    return {
        "id": plan.id, "object": "chat.completion", "created": plan.created, "model": plan.model_id,
        "choices": choices, "usage": _usage([r.get("usage") or {} for r in results]),
        "service_tier": "default", "system_fingerprint": SYSTEM_FINGERPRINT,
    }


def chat_chunks(plan: Plan, index: int, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The OpenAI chunks for one streamed llama.cpp chunk (tool answers are reassembled first)."""
    if plan.tool_streams is None:
        chunk = chat_chunk(plan, index, raw)
        return [chunk] if chunk else []
    return [_chunk_of(plan, index, delta, reason) for delta, reason in plan.tool_streams.deltas(index, raw)]


def _chunk_of(plan: Plan, index: int, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {"id": plan.id, "object": "chat.completion.chunk", "created": plan.created, "model": plan.model_id,
            "service_tier": "default", "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}


def chat_chunk(plan: Plan, index: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    """Reshape one streamed llama.cpp chunk; None for the per-choice usage chunk."""
    if not raw.get("choices"):
        return None
    out_choices = []
    for c in raw["choices"]:
        delta = dict(c.get("delta") or {})
        if "role" in delta and delta.get("content") is None:
            delta["content"] = ""
            delta["refusal"] = None
        delta.pop("reasoning_content", None)
        choice = {"index": index, "delta": delta, "logprobs": c.get("logprobs"), "finish_reason": c.get("finish_reason")}
        out_choices.append(choice)
    return {"id": plan.id, "object": "chat.completion.chunk", "created": plan.created, "model": plan.model_id,
            "service_tier": "default", "system_fingerprint": SYSTEM_FINGERPRINT, "choices": out_choices}


def usage_chunk(plan: Plan, usages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": plan.id, "object": "chat.completion.chunk", "created": plan.created, "model": plan.model_id,
            "service_tier": "default", "system_fingerprint": SYSTEM_FINGERPRINT, "choices": [], "usage": _usage(usages)}


# ---- legacy completions ---------------------------------------------------------

def plan_completion(body: dict[str, Any], model_id: str, engine: ChatEngine, output_cap: int) -> tuple[Plan, list[str]]:
    prompt = body["prompt"]
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if not prompts or not all(isinstance(p, str) for p in prompts):
        raise invalid("Invalid 'prompt': the offline server accepts a string or an array of strings (token-id prompts need the model's own tokenizer).",
                      "'prompt' 无效：离线服务器只接受字符串或字符串数组。", param="prompt", code="invalid_value")
    if body.get("logprobs") or body.get("suffix") or body.get("best_of", 1) > 1:
        raise invalid("logprobs, suffix and best_of are not supported by the offline server on /v1/completions; use /v1/chat/completions (it has logprobs).",
                      "离线服务器的 /v1/completions 不支持 logprobs、suffix、best_of；请改用 /v1/chat/completions。", param=None, code="invalid_value")
    check_output_cap(body.get("max_tokens"), "max_tokens", output_cap)
    max_tokens = body.get("max_tokens", 16)  # the legacy endpoint's default is 16
    base = {"max_tokens": max_tokens, **_sampling(body)}
    reqs = []
    for p in prompts:
        if len(p.encode()) + 16 + max_tokens > engine.n_ctx:
            n_prompt = engine.count_text(p)
            if n_prompt + max_tokens > engine.n_ctx:
                raise APIError(400, f"This model's maximum context length is {engine.n_ctx} tokens, however you requested {n_prompt + max_tokens} tokens "
                               f"({n_prompt} in your prompt; {max_tokens} for the completion). Please reduce your prompt; or completion length.",
                               f"该模型的最大上下文长度是 {engine.n_ctx} 个词元，你请求了 {n_prompt + max_tokens} 个。请缩短提示或减小 max_tokens。",
                               param="prompt", code="context_length_exceeded")
        reqs.extend(_fan_out({**base, "prompt": p}, body.get("n", 1)))
    stream = bool(body.get("stream"))
    if stream:
        for r in reqs:
            r["stream"] = True
    plan = Plan(reqs, model_id, stream, bool((body.get("stream_options") or {}).get("include_usage")), new_id("cmpl"))
    return plan, [r["prompt"] for r in reqs]


def merge_completion(plan: Plan, results: list[dict[str, Any]], prompts: list[str], echo: bool) -> dict[str, Any]:
    choices = []
    for i, (r, p) in enumerate(zip(results, prompts)):
        c = r["choices"][0]
        text = (p if echo else "") + (c.get("text") or "")
        choices.append({"text": text, "index": i, "logprobs": None, "finish_reason": c.get("finish_reason")})
    usage = _usage([r.get("usage") or {} for r in results])
    usage["prompt_tokens"] = sum((r.get("usage") or {}).get("prompt_tokens", 0) for r in results)
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    for key in ("prompt_tokens_details", "completion_tokens_details"):
        usage.pop(key)
    return {"id": plan.id, "object": "text_completion", "created": plan.created, "model": plan.model_id,
            "choices": choices, "usage": usage, "system_fingerprint": SYSTEM_FINGERPRINT}


def completion_chunk(plan: Plan, index: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    if not raw.get("choices"):
        return None
    c = raw["choices"][0]
    return {"id": plan.id, "object": "text_completion", "created": plan.created, "model": plan.model_id,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [{"text": c.get("text") or "", "index": index, "logprobs": None, "finish_reason": c.get("finish_reason")}]}


def estimate_prompt_tokens(texts: list[str]) -> int:
    """Cheap up-front estimate for token-per-minute limits (≈4 bytes per token)."""
    return sum(len(t.encode()) for t in texts) // 4 + 1


class StreamAssembler:
    """Collects a streamed answer so a `store: true` stream can be stored whole."""

    def __init__(self, plan: Plan, n: int):
        self.plan = plan
        self.text: list[list[str]] = [[] for _ in range(n)]
        self.finish: list[str | None] = [None] * n

    def add(self, index: int, raw: dict[str, Any]) -> None:
        for c in raw.get("choices") or []:
            delta = (c.get("delta") or {}).get("content")
            if delta:
                self.text[index].append(delta)
            if c.get("finish_reason"):
                self.finish[index] = c["finish_reason"]

    def completion(self, usages: list[dict[str, Any]]) -> dict[str, Any]:
        results = [{"choices": [{"index": i, "finish_reason": self.finish[i],
                                 "message": {"role": "assistant", "content": "".join(parts)}}], "usage": {}}
                   for i, parts in enumerate(self.text)]
        merged = merge_chat(self.plan, results)
        merged["usage"] = _usage(usages)
        return merged
