"""What `POST /v1/responses` accepts, declared on its own fields.

A Responses request is not a chat request: its errors must name `input[0].content`
where the learner wrote `input`, never `messages[...]`. Only after it passes here
is it translated into a chat request (responses_api.to_chat_body).
"""

from __future__ import annotations

from typing import Any

from . import errors
from .schema import F, require, type_name
from .specs import MEDIA_PARTS, METADATA

INPUT_ROLES = ("user", "assistant", "system", "developer")
TEXT_PARTS = ("input_text", "output_text", "text", "refusal")


def _check_input_content(content: Any, param: str) -> None:
    if isinstance(content, str):
        return
    require(isinstance(content, list), lambda: errors.invalid_type(param, "one of a string or array of objects", type_name(content)))
    for j, part in enumerate(content):
        p = f"{param}[{j}]"
        require(isinstance(part, dict), lambda: errors.invalid_type(p, "an object", type_name(part)))
        kind = part.get("type")
        if kind in MEDIA_PARTS:
            raise errors.media_not_supported(kind, f"{p}.type")
        require(kind in TEXT_PARTS, lambda: errors.unsupported_value(f"{p}.type", kind, TEXT_PARTS[:2]))
        text = part.get("text", part.get("refusal"))
        require(isinstance(text, str), lambda: errors.missing_required(f"{p}.text"))


def check_input(value: Any, param: str) -> None:
    """`input` is a string or a list of message items and function-calling items (the item types offline)."""
    if isinstance(value, str):
        return
    for i, item in enumerate(value):
        p = f"{param}[{i}]"
        if item.get("type") in ("function_call", "function_call_output"):
            continue  # checked where they become chat messages (tools/responses_items.py)
        require(
            item.get("type", "message") == "message",
            lambda: errors.invalid(
                f"Invalid value: '{item.get('type')}'. The offline server accepts message, function_call and function_call_output items in '{param}'.",
                f"离线服务器的 {param} 只接受 message、function_call 和 function_call_output 类型的条目。",
                param=f"{p}.type",
                code="invalid_value",
            ),
        )
        if item.get("role") is None:
            raise errors.missing_required(f"{p}.role")
        if item.get("content") is None:
            raise errors.missing_required(f"{p}.content")
        _check_input_content(item["content"], f"{p}.content")


# Item types other than messages are refused by check_input with the offline server's own message,
# so only the message item's fields are declared here (role and content are required for it).
INPUT_ITEM = F(
    ("object",),
    properties={
        "type": F(("string",)),
        "role": F(("string",), enum=INPUT_ROLES),
        "content": F(("string", "array"), items=F(("object",), properties={"type": F(("string",), required=True), "text": F(("string",))})),
    },
)
TEXT_FORMAT = F(
    ("object",),
    properties={
        "format": F(
            ("object",),
            properties={"type": F(("string",), required=True, enum=("text", "json_object", "json_schema")), "name": F(("string",)), "schema": F(("object",))},
        ),
    },
)

RESPONSES_FIELDS = {
    "model": F(("string",), required=True),
    "input": F(("string", "array"), required=True, items=INPUT_ITEM, check=check_input),
    "instructions": F(("string",)),
    "max_output_tokens": F(("integer",), minimum=16),
    "temperature": F(("number",), minimum=0, maximum=2),
    "top_p": F(("number",), minimum=0, maximum=1),
    "stream": F(("boolean",)),
    "background": F(("boolean",)),
    "store": F(("boolean",)),
    "metadata": METADATA,
    "text": TEXT_FORMAT,
    "user": F(("string",)),
    "previous_response_id": F(("string",)),
    "conversation": F(("string", "object"), properties={"id": F(("string",), required=True)}),
}
# POST /v1/responses/input_tokens: the same request, every field optional, nothing generated.
INPUT_TOKENS_FIELDS = {
    **{k: v for k, v in RESPONSES_FIELDS.items() if k not in ("stream", "store", "metadata", "user")},
    "model": F(("string",)),
    "input": F(("string", "array"), items=INPUT_ITEM, check=check_input),
}
RESPONSES_IGNORED = frozenset(
    {
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "truncation",
        "reasoning",
        "include",
        "service_tier",
        "prompt_cache_key",
        "safety_identifier",
        "stream_options",
    }
)
