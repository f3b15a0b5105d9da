"""The grammar that makes a mandatory tool call certain.

With `tool_choice: "required"`, a named function, or a strict function the
model has started to call, the answer must be a call whose arguments validate.
xllamacpp's llama.cpp is built with llguidance, whose Lark-like grammars embed
JSON Schemas (`%json {...}`), so the whole answer is constrained to
`<tool_call>{"name": ..., "arguments": ...}</tool_call>` blocks in the Hermes
format Qwen's template teaches: the model writes what it was trained to write,
and cannot write anything else.
"""

from __future__ import annotations

import copy
import json
from typing import Any

OPEN_TAG, CLOSE_TAG = "<tool_call>", "</tool_call>"
MAX_PARALLEL_CALLS = 8


def closed(schema: Any) -> Any:
    """A copy where every object that does not say otherwise allows no extra keys.

    JSON Schema allows extra keys by default; a small model then invents some
    (a `currency` for the weather). The answer still validates against the
    learner's schema, it just holds only what the schema names."""
    schema = copy.deepcopy(schema)
    _close(schema)
    return schema


def _close(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _close(item)
    elif isinstance(node, dict):
        if (node.get("type") == "object" or "properties" in node) and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            if isinstance(value, (dict, list)):
                _close(value)


def call_schema(functions: list[Any]) -> dict[str, Any]:
    """One call: the name is one of `functions`, the arguments fit that function's schema."""
    options = [
        {
            "type": "object",
            "properties": {"name": {"const": f.name}, "arguments": closed(f.parameters)},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for f in functions
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}


def tag(text: str, token_id: int | None) -> str:
    """A tag as its single vocabulary token when it is one (what the model was trained on), else as text."""
    return f"<[{token_id}]>" if token_id is not None else json.dumps(text)


def tool_call_grammar(functions: list[Any], *, parallel: bool, open_id: int | None, close_id: int | None) -> str:
    more = f'("\\n" call){{0,{MAX_PARALLEL_CALLS - 1}}}' if parallel else ""
    return "\n".join(
        [
            "%llguidance {}",
            # The optional newline lets the model end after a call the way it was trained to
            # (`</tool_call>` newline end) rather than being pushed into another call.
            f'start: call {more} "\\n"?' if parallel else "start: call",
            f'call: {tag(OPEN_TAG, open_id)} "\\n" body "\\n" {tag(CLOSE_TAG, close_id)}',
            f"body: %json {json.dumps(call_schema(functions), ensure_ascii=False)}",
        ]
    )
