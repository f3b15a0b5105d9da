"""Streamed text to streamed chat deltas, the way the API streams tool calls.

Plain text goes out as it comes. From the point where a call may begin (a
`<tool_call>` tag, a code fence, or JSON at the start) the text is held until
the generation ends, then parsed once, exactly as a non-streamed answer is:
calls become `tool_calls` deltas (first the index, id, type and name with empty
arguments, then argument fragments), anything else is released as text. Small
models write a call in about a second, so holding it costs little.
"""

from __future__ import annotations

import re
from typing import Any

from .parsing import CALL_STARTS, Call, first_call_start, parse

_FRAGMENT = re.compile(r".{1,16}", re.DOTALL)


def _partial_marker_len(text: str) -> int:
    """Length of a suffix that could be the start of a `<tool_call>` tag or a fence."""
    for marker in ("<tool_call>", "```"):
        for k in range(min(len(marker) - 1, len(text)), 0, -1):
            if text.endswith(marker[:k]):
                return k
    return 0


class ToolStream:
    """One choice's text pieces in, OpenAI delta dicts out."""

    def __init__(self, names: set[str], *, legacy: bool = False, single: bool = False):
        self.names = names
        self.legacy = legacy
        self.single = single or legacy  # parallel_tool_calls=false, or the one function_call of the old API
        self.pending = ""  # text not yet sent
        self.holding = False  # a call may have begun: hold everything until the end
        self.sent_role = False
        self.calls: list[Call] = []

    def feed(self, piece: str) -> list[dict[str, Any]]:
        if not piece:
            return []
        self.pending += piece
        if self.holding:
            return []
        if not self.pending.strip() or any(m.startswith(self.pending.lstrip()) for m in CALL_STARTS):
            return []  # too early to tell
        start = first_call_start(self.pending)
        if start >= 0:
            self.holding = True
            lead, self.pending = self.pending[:start], self.pending[start:]
            return self._text(lead)
        keep = _partial_marker_len(self.pending)
        out, self.pending = self.pending[: len(self.pending) - keep], self.pending[len(self.pending) - keep :]
        return self._text(out)

    def finish(self, finish_reason: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """The held text, as calls or as text, and the finish_reason the API would give."""
        text, self.pending = self.pending, ""
        if not self.holding:
            return self._text(text), finish_reason
        lead, calls = parse(text, self.names)
        if not calls:
            return self._text(text), finish_reason
        if self.single:
            calls = calls[:1]
        self.calls = calls
        deltas = self._text(lead or "")
        for index, call in enumerate(calls):
            deltas.extend(self._call_deltas(index, call))
        reason = "function_call" if self.legacy else "tool_calls"  # complete calls, even if text after them was cut
        return deltas, reason

    def _role(self, delta: dict[str, Any], content: Any) -> dict[str, Any]:
        if not self.sent_role:
            self.sent_role = True
            return {"role": "assistant", "content": content, "refusal": None, **delta}
        return delta

    def _text(self, text: str) -> list[dict[str, Any]]:
        if not text:
            return []
        return [self._role({"content": text}, text)]

    def _call_deltas(self, index: int, call: Call) -> list[dict[str, Any]]:
        fragments = _FRAGMENT.findall(call.arguments)
        if self.legacy:
            first = self._role({"function_call": {"name": call.name, "arguments": ""}}, None)
            return [first, *({"function_call": {"arguments": f}} for f in fragments)]
        head = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        first = self._role({"tool_calls": [head]}, None)
        return [first, *({"tool_calls": [{"index": index, "function": {"arguments": f}}]} for f in fragments)]
