"""The error catalogue on its own: each factory gives the API's status, type and code, a
bilingual message, and makes the openai SDK raise the class a learner meets in production."""

from __future__ import annotations

import re

import httpx
import openai
import pytest

from helpers.local import errors

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# (error, status, SDK exception class, type, code, param)
CATALOGUE = [
    (errors.missing_required("messages"), 400, openai.BadRequestError, "invalid_request_error", "missing_required_parameter", "messages"),
    (errors.invalid_type("temperature", "a decimal", "a string"), 400, openai.BadRequestError, "invalid_request_error", "invalid_type", "temperature"),
    (errors.unsupported_value("role", "robot", ("user", "system")), 400, openai.BadRequestError, "invalid_request_error", "invalid_value", "role"),
    (errors.array_too_long("input", 2048, 2049), 400, openai.BadRequestError, "invalid_request_error", "array_above_max_length", "input"),
    (errors.array_too_short("messages", 1, 0), 400, openai.BadRequestError, "invalid_request_error", "empty_array", "messages"),
    (errors.out_of_range("temperature", "decimal", 2, 3, True), 400, openai.BadRequestError, "invalid_request_error", "decimal_above_max_value", "temperature"),
    (errors.unknown_parameter("foo"), 400, openai.BadRequestError, "invalid_request_error", "unknown_parameter", "foo"),
    (errors.request_too_large(8 * 1024 * 1024), 413, openai.APIStatusError, "invalid_request_error", "request_too_large", None),
    (errors.url_not_found("GET", "/v1/nope"), 404, openai.NotFoundError, "invalid_request_error", None, None),
    (errors.missing_api_key(), 401, openai.AuthenticationError, "invalid_request_error", "invalid_api_key", None),
    (errors.incorrect_api_key("sk-secret-1234"), 401, openai.AuthenticationError, "invalid_request_error", "invalid_api_key", None),
    (errors.rpm_reached("gpt-4o-mini", 3, 3, 20, {"Retry-After": "20"}), 429, openai.RateLimitError, "requests", "rate_limit_exceeded", None),
    (errors.tpm_reached("gpt-4o-mini", 100, 90, 20, 5, {}), 429, openai.RateLimitError, "tokens", "rate_limit_exceeded", None),
    (errors.insufficient_quota("budget", "预算"), 429, openai.RateLimitError, "insufficient_quota", "insufficient_quota", None),
    (errors.overloaded(), 503, openai.InternalServerError, "server_error", "server_overloaded", None),
    (errors.shutting_down(), 503, openai.InternalServerError, "server_error", "server_shutting_down", None),
    (errors.unexpected(), 500, openai.InternalServerError, "server_error", None, None),
    (errors.model_not_found("gpt-99"), 404, openai.NotFoundError, "invalid_request_error", "model_not_found", None),
    (errors.real_api_only("dall-e-3"), 404, openai.NotFoundError, "invalid_request_error", "model_not_found", None),
    (errors.wrong_model_kind("gpt-4o-mini", "embedding"), 400, openai.BadRequestError, "invalid_request_error", "invalid_value", "model"),
    (errors.context_length_exceeded(2048, 3000), 400, openai.BadRequestError, "invalid_request_error", "context_length_exceeded", "messages"),
    (errors.previous_response_not_found("resp_x"), 400, openai.BadRequestError, "invalid_request_error", "previous_response_not_found", "previous_response_id"),
    (errors.background_needs_store(), 400, openai.BadRequestError, "invalid_request_error", "invalid_value", "background"),
    (errors.cannot_cancel_synchronous(), 400, openai.BadRequestError, "invalid_request_error", None, None),
    (errors.upstream_unreachable(), 503, openai.InternalServerError, "server_error", "upstream_unavailable", None),
]


def _sdk_exception(e: errors.APIError) -> openai.APIStatusError:
    """What the openai SDK raises for this answer (its own status → class mapping)."""
    client = openai.OpenAI(api_key="unit", base_url="http://127.0.0.1:9/v1")
    response = httpx.Response(e.status, json=e.body(), headers=e.headers, request=httpx.Request("POST", "http://127.0.0.1:9/v1/x"))
    return client._make_status_error_from_response(response)


@pytest.mark.parametrize(("error", "status", "cls", "kind", "code", "param"), CATALOGUE, ids=lambda v: getattr(v, "code", None) or "")
def test_each_error_is_the_apis_answer(error, status, cls, kind, code, param):
    assert (error.status, error.type, error.code, error.param) == (status, kind, code, param)
    body = error.body()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    sdk = _sdk_exception(error)
    assert type(sdk) is cls
    assert (sdk.status_code, sdk.code, sdk.param, sdk.type) == (status, code, param, kind)


@pytest.mark.parametrize("error", [c[0] for c in CATALOGUE])
def test_every_message_is_english_then_chinese(error):
    english, sep, chinese = error.message.partition(" / ")
    assert sep and english and not CHINESE.search(english), error.message
    assert CHINESE.search(chinese), error.message


def test_a_key_is_never_shown_whole():
    e = errors.incorrect_api_key("sk-class-abcdefghijklmnop-WXYZ")
    assert "abcdefghijklmnop" not in e.message and "WXYZ" in e.message


def test_context_message_with_and_without_an_output_limit():
    assert errors.context_length_exceeded(2048, 3000).message.startswith(
        "This model's maximum context length is 2048 tokens. However, your messages resulted in 3000 tokens. Please reduce the length of the messages."
    )
    assert errors.context_length_exceeded(2048, 2000, 100, param="prompt", what_en="your prompt", what_zh="你的提示").message.startswith(
        "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens (2000 in the prompt, 100 in the completion). "
        "Please reduce the length of the prompt or completion."
    )


def test_type_names_are_translated():
    e = errors.invalid_type("input", "one of a string or an array", "an object")
    assert (
        e.message
        == "Invalid type for 'input': expected one of a string or an array, but got an object instead. / 参数 'input' 的类型不对：应为字符串或数组，实际是对象。"
    )


def test_rate_limit_headers_travel_with_the_error():
    e = errors.rpm_reached("gpt-4o-mini", 3, 3, 20, {"Retry-After": "20", "x-ratelimit-remaining-requests": "0"})
    assert e.headers == {"Retry-After": "20", "x-ratelimit-remaining-requests": "0"}


def test_upstream_rejection_keeps_a_bilingual_message_as_it_is():
    already = errors.upstream_rejected(400, "Bad input. / 输入有误。", "input", "invalid_value")
    assert already.message == "Bad input. / 输入有误。"
    plain = errors.upstream_rejected(404, "", None, None)
    assert plain.message == "Not found. / 未找到（原因见前面的英文）。"


def test_one_import_surface_for_the_whole_catalogue():
    """The catalogue is split by API area; every public factory is reachable as errors.X, each defined once."""
    import importlib
    import inspect

    seen: dict[str, str] = {}
    for area in ("base", "request", "access", "generation", "gateway"):
        module = importlib.import_module(f"helpers.local.errors.{area}")
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != module.__name__:
                continue
            assert name not in seen, f"{name} is defined in both {seen[name]} and {area}"
            seen[name] = area
            assert getattr(errors, name) is obj and name in errors.__all__
    assert set(errors.__all__) == set(seen) | {"REAL_API_HINT_EN", "REAL_API_HINT_ZH"}
