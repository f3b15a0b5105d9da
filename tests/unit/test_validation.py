"""The request validator on its own: OpenAI's codes and params, the same declarations published as OpenAPI."""

from __future__ import annotations

import pytest

from helpers.local.errors import APIError
from helpers.local.schema import openapi_schema, validate_body
from helpers.local.specs import CHAT_FIELDS, CHAT_IGNORED, EMBEDDING_FIELDS, MAX_MESSAGES
from helpers.local.specs_responses import RESPONSES_FIELDS, RESPONSES_IGNORED

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def refused(body, fields=CHAT_FIELDS, ignored=CHAT_IGNORED) -> APIError:
    with pytest.raises(APIError) as e:
        validate_body(body, fields, ignored=ignored)
    assert e.value.status == 400
    return e.value


def test_a_valid_request_passes_without_its_null_optionals():
    assert validate_body({**CHAT, "temperature": None, "n": 2}, CHAT_FIELDS) == {**CHAT, "n": 2}


def test_a_whole_number_float_for_an_integer_becomes_an_int():
    out = validate_body({**CHAT, "max_tokens": 16.0}, CHAT_FIELDS)
    assert out["max_tokens"] == 16 and isinstance(out["max_tokens"], int)


@pytest.mark.parametrize(
    ("change", "code", "param"),
    [
        ({"model": None}, "missing_required_parameter", "model"),
        ({"temperature": "hot"}, "invalid_type", "temperature"),
        ({"temperature": 2.5}, "decimal_above_max_value", "temperature"),
        ({"top_p": -0.1}, "decimal_below_min_value", "top_p"),
        ({"max_tokens": 0}, "integer_below_min_value", "max_tokens"),
        ({"messages": []}, "empty_array", "messages"),
        ({"frobnicate": True}, "unknown_parameter", "frobnicate"),
    ],
)
def test_chat_mistakes_get_the_apis_code_and_param(change, code, param):
    body = {k: v for k, v in {**CHAT, **change}.items() if v is not None}
    e = refused(body)
    assert (e.code, e.param) == (code, param)


def test_real_parameters_without_an_offline_effect_are_accepted():
    out = validate_body({**CHAT, "service_tier": "auto", "prompt_cache_key": "k"}, CHAT_FIELDS, ignored=CHAT_IGNORED)
    assert out["service_tier"] == "auto"


def test_body_must_be_an_object():
    e = refused([CHAT])
    assert e.code == "invalid_type" and "expected an object, but got an array instead" in e.message


def test_responses_errors_name_input_not_messages():
    e = refused({"model": "gpt-4o-mini", "input": [{"role": "user", "content": 5}]}, RESPONSES_FIELDS, RESPONSES_IGNORED)
    assert e.param == "input[0].content" and e.code == "invalid_type"
    e = refused({"model": "gpt-4o-mini", "input": [{"role": "user"}]}, RESPONSES_FIELDS, RESPONSES_IGNORED)
    assert (e.param, e.code) == ("input[0].content", "missing_required_parameter")


def test_background_is_a_boolean():
    e = refused({"model": "gpt-4o-mini", "input": "Hi", "background": "yes"}, RESPONSES_FIELDS, RESPONSES_IGNORED)
    assert (e.param, e.code) == ("background", "invalid_type")
    assert validate_body({"model": "gpt-4o-mini", "input": "Hi", "background": True}, RESPONSES_FIELDS, ignored=RESPONSES_IGNORED)["background"]


def test_embedding_input_limits():
    e = refused({"model": "text-embedding-3-small", "input": ["a"] * 2049}, EMBEDDING_FIELDS, frozenset())
    assert (e.code, e.param) == ("array_above_max_length", "input")
    e = refused({"model": "text-embedding-3-small", "input": "a", "encoding_format": "hex"}, EMBEDDING_FIELDS, frozenset())
    assert (e.code, e.param) == ("invalid_value", "encoding_format")


def test_published_schema_says_what_the_validator_enforces():
    schema = openapi_schema(CHAT_FIELDS)
    assert schema["required"] == ["model", "messages"] and schema["additionalProperties"] is False
    # An optional field may be null (the validator drops it), so it is published as "this or null".
    assert schema["properties"]["temperature"] == {"anyOf": [{"type": "number", "minimum": 0, "maximum": 2}, {"type": "null"}]}
    assert openapi_schema(RESPONSES_FIELDS)["properties"]["background"] == {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
    assert schema["properties"]["messages"]["maxItems"] == MAX_MESSAGES
    too_many = {**CHAT, "messages": CHAT["messages"] * (MAX_MESSAGES + 1)}
    assert refused(too_many).code == "array_above_max_length"
