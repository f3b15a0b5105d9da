"""What the chat, completions and embeddings endpoints accept: the OpenAI
parameters, their types and ranges (validated and published from here).

Bounds follow the OpenAI API reference. Where the offline server is narrower
than the real API (e.g. `n`), the limit is stated in the error message.
"""
from __future__ import annotations

from typing import Any

from . import errors
from .schema import F, require, type_name

MAX_N = 8  # the real API allows 128; a laptop cannot do that usefully
MAX_MESSAGES = 2048
MAX_EMBEDDING_INPUTS = 2048  # the API's limit on inputs per embeddings request
MAX_STOP = 4
CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MEDIA_PARTS = ("image_url", "input_image", "input_audio", "file", "input_file")


def _check_stop(value: Any, param: str) -> None:
    if isinstance(value, list):
        require(len(value) <= MAX_STOP, lambda: errors.array_too_long(param, MAX_STOP, len(value)))
        for i, s in enumerate(value):
            require(isinstance(s, str), lambda: errors.invalid_type(f"{param}[{i}]", "a string", type_name(s)))


def text_of_parts(parts: list[Any], param: str, allowed: tuple[str, ...]) -> str:
    """The text of a content-part list; media parts get the offline server's clear 400."""
    texts = []
    for j, part in enumerate(parts):
        p = f"{param}[{j}]"
        require(isinstance(part, dict), lambda: errors.invalid_type(p, "an object", type_name(part)))
        kind = part.get("type")
        if kind in MEDIA_PARTS:
            raise errors.media_not_supported(kind, f"{p}.type")
        require(kind in allowed, lambda: errors.unsupported_value(f"{p}.type", kind, allowed))
        text = part.get("text", part.get("refusal"))
        require(isinstance(text, str), lambda: errors.missing_required(f"{p}.text"))
        texts.append(text)
    return "\n".join(texts)


def normalize_content(content: Any, param: str, *, allowed_parts: tuple[str, ...] = ("text",), required: bool = True) -> str | None:
    """Content is a string or a list of text parts; return the text."""
    if content is None and not required:
        return None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return text_of_parts(content, param, allowed_parts)
    if content is None:
        raise errors.missing_required(param)
    raise errors.invalid_type(param, "one of a string or array of objects", type_name(content))


def check_messages(messages: list[Any], param: str = "messages") -> None:
    """Per-role rules the declaration cannot say (content required except for assistants...)."""
    for i, m in enumerate(messages):
        p = f"{param}[{i}]"
        role = m["role"]
        has_calls = role == "assistant" and bool(m.get("tool_calls") or m.get("function_call"))
        parts = ("text", "refusal") if role == "assistant" else ("text",)
        normalize_content(m.get("content"), f"{p}.content", allowed_parts=parts, required=not has_calls and role != "assistant")
        if role == "tool":
            require(isinstance(m.get("tool_call_id"), str), lambda: errors.missing_required(f"{p}.tool_call_id"))


CONTENT_PART = F(("object",), properties={"type": F(("string",), required=True), "text": F(("string",))})
MESSAGE = F(("object",), properties={
    "role": F(("string",), required=True, enum=CHAT_ROLES),
    "content": F(("string", "array", "null"), items=CONTENT_PART),
    "name": F(("string",)),
    "tool_call_id": F(("string",)),
})


def _check_response_format(value: dict, param: str) -> None:
    if value.get("type") == "json_schema":
        js = value.get("json_schema")
        require(isinstance(js, dict), lambda: errors.missing_required(f"{param}.json_schema"))
        require(isinstance(js.get("name"), str), lambda: errors.missing_required(f"{param}.json_schema.name"))
        require(isinstance(js.get("schema", {}), dict),
                lambda: errors.invalid_type(f"{param}.json_schema.schema", "an object", type_name(js.get("schema"))))


RESPONSE_FORMAT = F(("object",), check=_check_response_format, properties={
    "type": F(("string",), required=True, enum=("text", "json_object", "json_schema")),
    "json_schema": F(("object",)),
})
STREAM_OPTIONS = F(("object",), properties={"include_usage": F(("boolean",))})


def check_metadata(value: dict, param: str) -> None:
    """The API's metadata rules: at most 16 pairs, keys <= 64 chars, string values <= 512 chars."""
    require(len(value) <= 16, lambda: errors.invalid(f"Invalid '{param}': too many keys. Expected at most 16, but got {len(value)}.",
                                                     f"'{param}' 最多 16 个键，实际 {len(value)} 个。", param=param, code="invalid_value"))
    for k, v in value.items():
        require(len(k) <= 64, lambda: errors.invalid(f"Invalid '{param}': key '{k[:70]}' is longer than 64 characters.",
                                                     f"'{param}' 的键不能超过 64 个字符。", param=param, code="invalid_value"))
        require(isinstance(v, str), lambda: errors.invalid_type(f"{param}.{k}", "a string", type_name(v)))
        require(len(v) <= 512, lambda: errors.invalid(f"Invalid '{param}.{k}': string too long. Expected a string with maximum length 512.",
                                                      f"'{param}.{k}' 最长 512 个字符。", param=f"{param}.{k}", code="string_above_max_length"))


METADATA = F(("object",), check=check_metadata, extra_schema={
    "maxProperties": 16, "propertyNames": {"maxLength": 64}, "additionalProperties": {"type": "string", "maxLength": 512}})

SAMPLING = {
    "temperature": F(("number",), minimum=0, maximum=2),
    "top_p": F(("number",), minimum=0, maximum=1),
    "presence_penalty": F(("number",), minimum=-2, maximum=2),
    "frequency_penalty": F(("number",), minimum=-2, maximum=2),
    "seed": F(("integer",), minimum=-(2**63), maximum=2**63 - 1),
    "stop": F(("string", "array"), items=F(("string",)), check=_check_stop),
    "n": F(("integer",), minimum=1, maximum=MAX_N, description=f"at most {MAX_N} offline"),
    "stream": F(("boolean",)),
    "stream_options": STREAM_OPTIONS,
    "logit_bias": F(("object",)),
    "user": F(("string",)),
}

CHAT_FIELDS = {
    "model": F(("string",), required=True),
    "messages": F(("array",), required=True, min_items=1, max_items=MAX_MESSAGES, items=MESSAGE, check=check_messages),
    "max_tokens": F(("integer",), minimum=1),
    "max_completion_tokens": F(("integer",), minimum=1),
    "logprobs": F(("boolean",)),
    "top_logprobs": F(("integer",), minimum=0, maximum=20),
    "response_format": RESPONSE_FORMAT,
    "store": F(("boolean",)),
    "metadata": METADATA,
    **SAMPLING,
}
# Real parameters accepted and passed over or handled loosely offline.
CHAT_IGNORED = frozenset({
    "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "service_tier",
    "reasoning_effort", "modalities", "prediction", "web_search_options", "verbosity",
    "prompt_cache_key", "safety_identifier",
})

COMPLETION_FIELDS = {
    "model": F(("string",), required=True),
    "prompt": F(("string", "array"), required=True),
    "max_tokens": F(("integer",), minimum=0),
    "logprobs": F(("integer",), minimum=0, maximum=5),
    "echo": F(("boolean",)),
    "best_of": F(("integer",), minimum=1, maximum=MAX_N),
    "suffix": F(("string",)),
    **SAMPLING,
}

def _check_embedding_input(value: Any, param: str) -> None:
    """At most 2048 inputs per request; a flat list of ints is one token-id input (its own limit: 8191)."""
    if isinstance(value, list) and not all(isinstance(t, int) for t in value):
        require(len(value) <= MAX_EMBEDDING_INPUTS, lambda: errors.array_too_long(param, MAX_EMBEDDING_INPUTS, len(value)))


# A string, a list of token ids, or a list of strings or of token-id lists (routes.embeddings.normalize_input).
EMBEDDING_ITEM = F(("string", "integer", "array"), minimum=0, items=F(("integer",), minimum=0))
EMBEDDING_FIELDS = {
    "model": F(("string",), required=True),
    "input": F(("string", "array"), required=True, items=EMBEDDING_ITEM, check=_check_embedding_input),
    "encoding_format": F(("string",), enum=("float", "base64")),
    "dimensions": F(("integer",), minimum=1),
    "user": F(("string",)),
}

UPDATE_STORED_FIELDS = {"metadata": F(("object",), required=True, check=check_metadata, extra_schema=METADATA.extra_schema)}
