"""Server-sent events passed through one by one, read on the way.

The bytes of each event go to the student unchanged, in the same write as the
other events that arrived in the same upstream packet (no waiting for more). Only
two things are changed: the usage chunk the gateway asked for on the student's
behalf (`stream_options.include_usage`) is counted and dropped, and a stream that
breaks after bytes have flowed ends with the API's error event instead of a hang.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import APIError

FINAL_RESPONSE_EVENTS = ("response.completed", "response.incomplete", "response.failed")
_HAS_RESPONSE = re.compile(rb'"response"\s*:\s*\{')  # events that carry the Response object (not token deltas)


class EventSplitter:
    """Cuts a byte stream into complete SSE events (each ending in a blank line)."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        if b"\r" in self._buf:
            self._buf = self._buf.replace(b"\r\n", b"\n")
        *events, self._buf = self._buf.split(b"\n\n")
        return [e + b"\n\n" for e in events if e.strip()]

    def rest(self) -> bytes:
        """Whatever came after the last complete event (normally nothing)."""
        return self._buf if self._buf.strip() else b""


def event_data(event: bytes) -> Any:
    """The JSON of an event's `data:` lines; None for `[DONE]` or anything that is not JSON."""
    lines = [line[5:].lstrip() for line in event.split(b"\n") if line.startswith(b"data:")]
    if not lines or lines == [b"[DONE]"]:
        return None
    try:
        return json.loads(b"\n".join(lines))
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class StreamTap:
    """Watches one stream for usage (and, for `store: true`, the answer text)."""

    endpoint: str  # "chat", "completions" or "responses"
    strip_usage: bool  # the student did not ask for the usage chunk: drop it
    keep_text: bool = False  # `store: true`: the answer is put back together
    usage: dict[str, int] | None = None
    texts: dict[int, list[str]] = field(default_factory=dict)
    finish: dict[int, str] = field(default_factory=dict)
    head: dict[str, Any] = field(default_factory=dict)  # id, created, model of the first chunk
    ended_with_error: bool = False
    events: int = 0
    last_event: bytes = b""
    turn: Any = None  # a Responses request whose state the class server keeps (responses_state.Turn)
    final: dict[str, Any] | None = None  # the finished Response of a Responses stream, once it has passed

    def event(self, raw: bytes) -> bytes | None:
        """The bytes to send on for one event, or None to drop it. Most events are token
        deltas that need nothing: they are not even parsed (the gateway's cost per token)."""
        self.events += 1
        self.last_event = raw
        if not (self.keep_text or b'"usage"' in raw or b'"error"' in raw or not self.head or (self.turn is not None and _HAS_RESPONSE.search(raw))):
            return raw
        data = event_data(raw)
        if not isinstance(data, dict):
            return raw
        if ("error" in data and "choices" not in data) or data.get("type") == "error":
            self.ended_with_error = True
            return raw
        if self.endpoint == "responses":
            return self._responses_event(raw, data)
        return self._chunk(raw, data)

    def _chunk(self, raw: bytes, data: dict[str, Any]) -> bytes | None:
        if not self.head:
            self.head = {k: data.get(k) for k in ("id", "created", "model", "system_fingerprint", "service_tier")}
        if data.get("usage"):
            self.usage = usage_tokens(data["usage"])
            if self.strip_usage and not data.get("choices"):
                return None
        for choice in data.get("choices") or []:
            piece = (choice.get("delta") or {}).get("content") if self.endpoint == "chat" else choice.get("text")
            index = choice.get("index", 0)
            if piece:
                self.texts.setdefault(index, []).append(piece)
            if choice.get("finish_reason"):
                self.finish[index] = choice["finish_reason"]
        if self.strip_usage and "usage" in data:  # `"usage": null` on every chunk is there only when asked for
            data.pop("usage")
            return sse_bytes(data)
        return raw

    def _responses_event(self, raw: bytes, data: dict[str, Any]) -> bytes:
        """Usage from the Response an event carries; with state kept here, the student's
        state fields put back into it (only these few events are rewritten)."""
        self.head = self.head or {"type": data.get("type")}
        response = data.get("response")
        if not isinstance(response, dict):
            return raw
        if response.get("usage"):
            self.usage = usage_tokens(response["usage"])
        if self.turn is None:
            return raw
        self.turn.restore(response)
        if data.get("type") in FINAL_RESPONSE_EVENTS:
            self.final = response
        return with_data(raw, data)

    def counted(self, prompt_estimate: int) -> tuple[int, int]:
        """Tokens to charge: the upstream's usage, or (if it sent none, or the stream broke)
        an estimate: about one token per event."""
        if self.usage:
            return self.usage["prompt"], self.usage["completion"]
        return prompt_estimate, self.events

    def error_event(self, error: APIError) -> bytes:
        """The API's error event for a stream that broke after bytes had flowed."""
        if self.endpoint == "responses":
            last = event_data(self.last_event)
            sequence = last.get("sequence_number", -1) if isinstance(last, dict) else -1
            body = {"type": "error", "sequence_number": sequence + 1, "code": error.code, "message": error.message, "param": error.param}
            return b"event: error\n" + sse_bytes(body)
        return sse_bytes(error.body()) + b"data: [DONE]\n\n"


def usage_tokens(usage: dict[str, Any]) -> dict[str, int]:
    """Chat/completions/embeddings say prompt/completion tokens; the Responses API says input/output."""
    prompt = usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0
    completion = usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0
    return {"prompt": int(prompt), "completion": int(completion)}


def with_data(raw: bytes, data: Any) -> bytes:
    """An event with its `data:` replaced, its `event:` (and any `id:`) line kept."""
    head = [line for line in raw.rstrip(b"\n").split(b"\n") if line and not line.startswith(b"data:")]
    return b"\n".join([*head, b"data: " + json.dumps(data, ensure_ascii=False).encode()]) + b"\n\n"


def sse_bytes(data: Any) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def assembled_chat_completion(tap: StreamTap, body: dict[str, Any]) -> dict[str, Any]:
    """A streamed chat answer put back together, so `store: true` works for streams too."""
    usage = tap.usage or {"prompt": 0, "completion": tap.events}
    choices = [
        {
            "index": i,
            "message": {"role": "assistant", "content": "".join(tap.texts.get(i, [])), "refusal": None, "annotations": []},
            "finish_reason": tap.finish.get(i, "stop"),
            "logprobs": None,
        }
        for i in range(body.get("n", 1))
    ]
    completion = {
        "id": tap.head.get("id"),
        "object": "chat.completion",
        "created": tap.head.get("created"),
        "model": tap.head.get("model"),
        "choices": choices,
        "usage": {"prompt_tokens": usage["prompt"], "completion_tokens": usage["completion"], "total_tokens": usage["prompt"] + usage["completion"]},
    }
    for key in ("system_fingerprint", "service_tier"):
        if tap.head.get(key):
            completion[key] = tap.head[key]
    return completion
