"""One tool-path generation, with a second look at a doubtful `auto` call.

Qwen2.5-Coder-0.5B, shown tools, starts almost every answer with a call: "你好"
gets `get_weather(city="Paris")`. Two checks catch what the API's models would
not do, and regenerate once:

- an *ungrounded* call, none of whose argument values occurs in the user's words
  (a city, an amount), is taken as "no tool needed": the answer is regenerated
  as text (a grammar forbids it to start like a call);
- a call to a `strict` function whose arguments do not validate is regenerated
  under the call grammar, so strict arguments are always valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .constraint import CLOSE_TAG, OPEN_TAG, tool_call_grammar
from .parsing import CALL_STARTS, Call, parse
from .request import ToolRequest
from .schema_check import Draft202012Validator

CONTEXT_KEY = "_tools"  # in an engine request: (ToolRequest, the user's words); removed before llama.cpp sees it
TEXT_ONLY_GRAMMAR = "%llguidance {}\nstart: TEXT\nTEXT: /[^{<`\\[ \\t\\r\\n](.|\\n)*/"


def user_words(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("content") or "" for m in messages if m.get("role") == "user").casefold()


def _values(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, list):
        return [v for item in value for v in _values(item)]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [str(value).casefold()]


def grounded(calls: list[Call], words: str) -> bool:
    """Some argument value of some call occurs in what the user wrote (calls without arguments pass)."""
    values = [v for c in calls for v in _values(json.loads(c.arguments))]
    return not values or any(v and v in words for v in values)


def strict_ok(calls: list[Call], request: ToolRequest) -> bool:
    for c in calls:
        fn = request.by_name[c.name]
        if fn.strict and not Draft202012Validator(fn.parameters).is_valid(json.loads(c.arguments)):
            return False
    return True


def retry_grammar(text: str, request: ToolRequest, words: str, engine: Any) -> str | None:
    """The grammar of a second try, or None when the first answer stands."""
    if request.mandatory or not text.lstrip().startswith(CALL_STARTS):
        return None
    _, calls = parse(text, set(request.by_name))
    if not calls:
        return None
    if not grounded(calls, words):
        return TEXT_ONLY_GRAMMAR
    if not strict_ok(calls, request):
        ids = [engine.tokenize(t) for t in (OPEN_TAG, CLOSE_TAG)]
        return tool_call_grammar(
            request.allowed(), parallel=request.parallel, open_id=ids[0][0] if len(ids[0]) == 1 else None, close_id=ids[1][0] if len(ids[1]) == 1 else None
        )
    return None


def _add_usage(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Both tries' completion tokens are counted: both were generated."""
    u1, u2 = first.get("usage") or {}, second.get("usage") or {}
    usage = dict(u2)
    usage["completion_tokens"] = u1.get("completion_tokens", 0) + u2.get("completion_tokens", 0)
    usage["total_tokens"] = usage.get("prompt_tokens", 0) + usage["completion_tokens"]
    return {**second, "usage": usage}


def complete(engine: Any, request: ToolRequest, words: str, req: dict[str, Any]) -> dict[str, Any]:
    first = engine.complete(req)
    grammar = retry_grammar(first["choices"][0].get("text") or "", request, words, engine)
    if grammar is None:
        return first
    return _add_usage(first, engine.complete({**req, "grammar": grammar}))


def complete_stream(engine: Any, request: ToolRequest, words: str, req: dict[str, Any], on_chunk: Callable[[dict[str, Any]], bool | None]) -> None:
    """Text goes out live; a call-like answer is held until it is known to stand."""
    held: list[dict[str, Any]] = []
    text: list[str] = []

    def first_chunk(chunk: dict[str, Any]) -> bool | None:
        for c in chunk.get("choices") or []:
            text.append(c.get("text") or "")
        so_far = "".join(text).lstrip()
        if held or (so_far and (so_far.startswith(CALL_STARTS) or any(m.startswith(so_far) for m in CALL_STARTS))):
            held.append(chunk)
            return None
        return on_chunk(chunk)

    engine.complete_stream(req, first_chunk)
    grammar = retry_grammar("".join(text), request, words, engine) if held else None
    if grammar is None:
        for chunk in held:
            if on_chunk(chunk):
                return
        return
    first_usage = next((c["usage"] for c in reversed(held) if c.get("usage")), {})
    engine.complete_stream({**req, "grammar": grammar}, lambda chunk: on_chunk(_add_usage({"usage": first_usage}, chunk) if chunk.get("usage") else chunk))


def runner(engine: Any, stream: bool) -> Callable[..., Any]:
    """The engine call of a chat-like endpoint: the tool path for requests that carry a tool context."""

    def run(req: dict[str, Any], *on_chunk: Callable[[dict[str, Any]], bool | None]) -> Any:
        if CONTEXT_KEY not in req:
            return engine.chat_stream(req, *on_chunk) if stream else engine.chat(req)
        request, words = req[CONTEXT_KEY]
        req = {k: v for k, v in req.items() if k != CONTEXT_KEY}
        return complete_stream(engine, request, words, req, *on_chunk) if stream else complete(engine, request, words, req)

    return run
