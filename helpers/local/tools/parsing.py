"""Tool calls out of what a model wrote.

Under `tool_choice: "auto"` nothing constrains the model, and small models do not
always use their template's `<tool_call>` tags: Qwen2.5-Coder-0.5B mostly writes
a ```json code fence, sometimes a bare JSON object. All three forms are read
here. A call counts only if it names one of the offered functions and its
arguments are a JSON object; anything else stays text (never an error).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass
from typing import Any

from .constraint import CLOSE_TAG, OPEN_TAG

_TAGGED = re.compile(re.escape(OPEN_TAG) + r"\s*(.*?)\s*(?:" + re.escape(CLOSE_TAG) + r"|$)", re.DOTALL)
_COMPLETE = re.compile(re.escape(OPEN_TAG) + r"\s*(.*?)\s*" + re.escape(CLOSE_TAG), re.DOTALL)
_FENCED = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
# Where a call may begin: the point from which a stream holds text back until the end.
CALL_STARTS = (OPEN_TAG, "```", "{", "[")
_ALPHABET = string.ascii_letters + string.digits


def new_call_id() -> str:
    return "call_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


@dataclass
class Call:
    name: str
    arguments: str  # a JSON string, as the API sends it
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or new_call_id()

    def as_tool_call(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


def first_call_start(text: str) -> int:
    """Index where a tool call may begin: a tag or fence anywhere, bare JSON at the very start; -1 if none."""
    stripped = len(text) - len(text.lstrip())
    if text[stripped:].startswith(CALL_STARTS):
        return stripped
    found = [i for i in (text.find(OPEN_TAG), text.find("```")) if i >= 0]
    return min(found, default=-1)


def parse(text: str, names: set[str]) -> tuple[str | None, list[Call]]:
    """(text before the calls or None, the calls). No calls means: the whole text is the answer."""
    start = first_call_start(text)
    if start < 0:
        return text, []
    calls = _calls_in(text[start:], names)
    if not calls:
        return text, []
    lead = text[:start].strip()
    return (lead or None), calls


def _calls_in(text: str, names: set[str]) -> list[Call]:
    if OPEN_TAG in text:
        # Complete blocks only, when there are some: a generation cut by max_tokens in the
        # middle of a further call (small models repeat calls) still gives the finished ones.
        bodies = _COMPLETE.findall(text) or _TAGGED.findall(text)
    elif text.startswith("```"):
        bodies = _FENCED.findall(text)
    else:
        bodies = [text]
    calls: list[Call] = []
    for body in bodies:
        found = _calls_from_json(body.strip(), names)
        if found is None:
            return []  # one malformed block makes the whole answer text: never half a set of calls
        calls.extend(c for c in found if (c.name, c.arguments) not in {(k.name, k.arguments) for k in calls})
    return calls  # without exact repeats: the same call twice is a small model's loop, not two requests


def _calls_from_json(body: str, names: set[str]) -> list[Call] | None:
    try:
        value = json.loads(body)
    except ValueError:
        value = _first_json_value(body)
        if value is None:
            return None
    items = value if isinstance(value, list) else [value]
    calls = [_call_from_object(item, names) for item in items]
    return None if not calls or any(c is None for c in calls) else calls  # type: ignore[return-value]


def _first_json_value(body: str) -> Any:
    """A JSON value followed by stray text (`{...} I called the tool`)."""
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
        return value
    except ValueError:
        return None


def _call_from_object(item: Any, names: set[str]) -> Call | None:
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("function"), dict):  # the API's own tool_call shape, copied from a prompt
        item = item["function"]
    name = item.get("name")
    args = item.get("arguments", item.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            return None
    if name not in names or not isinstance(args, dict):
        return None
    return Call(name, json.dumps(args, ensure_ascii=False))
