"""The prompt a model sees when it may call tools.

A template that knows tools (Qwen2.5's) renders them itself: the model reads the
tool list in the words it was trained on. A template that does not (SmolLM2's)
gets the same Hermes-style instructions as a system message, and earlier calls
and results written out as text, so every model sees one format.
"""

from __future__ import annotations

import json
from typing import Any

from .constraint import CLOSE_TAG, OPEN_TAG
from .messages import as_plain_text, legacy_to_tool_messages
from .request import ToolRequest

FALLBACK_SYSTEM = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{tools}\n</tools>\n\n"
    "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
    '<tool_call>\n{{"name": <function-name>, "arguments": <args-json-object>}}\n</tool_call>'
)
# One sentence for small models, which otherwise call a tool for every question
# (or for none): the API's own models decide this from training, ours need telling.
WHEN_TO_CALL = "Call a function only when the user's request needs it; otherwise answer directly in plain text. Take argument values from the user's words."


def render(engine: Any, messages: list[dict[str, Any]], request: ToolRequest) -> str:
    messages = legacy_to_tool_messages(messages)
    tools = [f.as_tool() for f in request.allowed()]
    if engine.template_has_tools:
        return engine.apply_template(_with_guidance(messages, request), tools)
    listing = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
    system = FALLBACK_SYSTEM.format(tools=listing)
    plain = as_plain_text(_with_guidance(messages, request))
    if plain and plain[0]["role"] == "system":
        plain[0] = {"role": "system", "content": plain[0]["content"] + "\n\n" + system}
    else:
        plain.insert(0, {"role": "system", "content": system})
    return engine.apply_template(plain)


def _with_guidance(messages: list[dict[str, Any]], request: ToolRequest) -> list[dict[str, Any]]:
    if request.mandatory:
        return messages
    if messages and messages[0]["role"] == "system":
        return [{**messages[0], "content": (messages[0]["content"] + "\n\n" + WHEN_TO_CALL).strip()}, *messages[1:]]
    return [{"role": "system", "content": WHEN_TO_CALL}, *messages]


__all__ = ["CLOSE_TAG", "OPEN_TAG", "render"]
