"""Engine results reshaped into the API's exact chat and completion objects.

The engine gives OpenAI-shaped choices and a plain usage count; this module adds
the envelope (`id`, `object`, `created`, `model`, `system_fingerprint` ...) and
the API's full `usage` object, for whole answers and for stream chunks.
"""

from __future__ import annotations

from typing import Any

from .planning import Plan
from .tools.chat import to_chat_result


def chat_usage(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One usage for n choices of one prompt: the prompt counts once, every completion token counts."""
    prompt = max((u.get("prompt_tokens", 0) for u in parts), default=0)
    completion = sum(u.get("completion_tokens", 0) for u in parts)
    cached = max((u.get("cached_tokens", 0) for u in parts), default=0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def completion_usage(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The legacy endpoint counts every prompt (one per choice)."""
    prompt = sum(u.get("prompt_tokens", 0) for u in parts)
    completion = sum(u.get("completion_tokens", 0) for u in parts)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _envelope(plan: Plan, obj: str) -> dict[str, Any]:
    return {"id": plan.id, "object": obj, "created": plan.created, "model": plan.model_id}


def chat_completion(plan: Plan, results: list[dict[str, Any]]) -> dict[str, Any]:
    if plan.extra.get("tools") is not None and not plan.stream:  # text of a tool-path completion → message (+ tool_calls)
        results = [to_chat_result(r, plan.extra["tools"]) for r in results]
    choices = []
    for i, r in enumerate(results):
        c = dict(r["choices"][0])
        c["index"] = i
        msg = {"role": "assistant", "content": None, "refusal": None, "annotations": [], **c.get("message", {})}
        c["message"] = msg
        choices.append(c)
    return {
        **_envelope(plan, "chat.completion"),
        "choices": choices,
        "usage": chat_usage([r.get("usage") or {} for r in results]),
        "service_tier": "default",
        "system_fingerprint": plan.fingerprint,
    }


def chat_chunk(plan: Plan, index: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    """Reshape one streamed engine chunk; None for a chunk without choices (the usage chunk)."""
    if not raw.get("choices"):
        return None
    out_choices = []
    for c in raw["choices"]:
        delta = dict(c.get("delta") or {})
        if "role" in delta and delta.get("content") is None:
            delta["content"] = ""
            delta["refusal"] = None
        out_choices.append({"index": index, "delta": delta, "logprobs": c.get("logprobs"), "finish_reason": c.get("finish_reason")})
    return {**_envelope(plan, "chat.completion.chunk"), "service_tier": "default", "system_fingerprint": plan.fingerprint, "choices": out_choices}


def chat_chunks(plan: Plan, index: int, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The chunks for one streamed engine chunk; a tool-path answer is reassembled (see tools/stream.py)."""
    streams = plan.extra.get("tool_streams")
    if streams is None:
        chunk = chat_chunk(plan, index, raw)
        return [chunk] if chunk else []
    return [
        {
            **_envelope(plan, "chat.completion.chunk"),
            "service_tier": "default",
            "system_fingerprint": plan.fingerprint,
            "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": reason}],
        }
        for delta, reason in streams.deltas(index, raw)
    ]


def usage_chunk(plan: Plan, usages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **_envelope(plan, "chat.completion.chunk"),
        "service_tier": "default",
        "system_fingerprint": plan.fingerprint,
        "choices": [],
        "usage": chat_usage(usages),
    }


def text_completion(plan: Plan, results: list[dict[str, Any]], echo: bool) -> dict[str, Any]:
    choices = []
    for i, (r, p) in enumerate(zip(results, plan.prompts)):
        c = r["choices"][0]
        choices.append({"text": (p if echo else "") + (c.get("text") or ""), "index": i, "logprobs": None, "finish_reason": c.get("finish_reason")})
    return {
        **_envelope(plan, "text_completion"),
        "choices": choices,
        "usage": completion_usage([r.get("usage") or {} for r in results]),
        "system_fingerprint": plan.fingerprint,
    }


def completion_chunk(plan: Plan, index: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    if not raw.get("choices"):
        return None
    c = raw["choices"][0]
    return {
        **_envelope(plan, "text_completion"),
        "system_fingerprint": plan.fingerprint,
        "choices": [{"text": c.get("text") or "", "index": index, "logprobs": None, "finish_reason": c.get("finish_reason")}],
    }


class StreamAssembler:
    """Collects a streamed chat answer, so a `store: true` stream can be stored whole."""

    def __init__(self, plan: Plan):
        n = len(plan.requests)
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
        results = [
            {
                "choices": [{"index": i, "finish_reason": self.finish[i], "logprobs": None, "message": {"role": "assistant", "content": "".join(parts)}}],
                "usage": {},
            }
            for i, parts in enumerate(self.text)
        ]
        merged = chat_completion(self.plan, results)
        merged["usage"] = chat_usage(usages)
        return merged
