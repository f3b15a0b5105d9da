"""The catalogue of every error the offline server answers with.

The offline server must make the `openai` SDK raise the same exception classes a
learner meets in production (BadRequestError, AuthenticationError, NotFoundError,
RateLimitError, ...). The SDK picks the class from the HTTP status code and shows
the JSON body, so every error carries OpenAI's status, `type`, `param` and
`code`, and a message in English followed by Chinese.

One factory per API error, each message written once (the model of
openai-python's `_exceptions.py`): a handler raises `errors.context_length_exceeded(...)`
and never composes an error text itself.

The catalogue is split by API area (base, request, access, generation, gateway);
this package is its one import surface: `from helpers.local import errors; errors.X`.
"""

from __future__ import annotations

from .access import (
    admin_key_required,
    generation_failed,
    incorrect_api_key,
    missing_api_key,
    overloaded,
    rate_limited,
    rpm_reached,
    shutting_down,
    too_many_concurrent,
    tpm_reached,
    tpm_request_too_large,
    unexpected,
)
from .base import (
    REAL_API_HINT_EN,
    REAL_API_HINT_ZH,
    APIError,
    invalid,
    server_error,
)
from .gateway import (
    insufficient_quota,
    upstream_broke_off,
    upstream_busy,
    upstream_failed,
    upstream_out_of_quota,
    upstream_refused_credentials,
    upstream_rejected,
    upstream_unreachable,
)
from .generation import (
    background_needs_store,
    background_stream_not_supported,
    cannot_cancel_synchronous,
    context_length_exceeded,
    json_mode_needs_json_word,
    model_cannot_template,
    model_failed,
    model_not_found,
    model_rejected,
    output_cap_exceeded,
    previous_response_not_found,
    real_api_only,
    top_logprobs_needs_logprobs,
    wrong_model_kind,
)
from .request import (
    array_too_long,
    array_too_short,
    body_not_object,
    http_error,
    invalid_json,
    invalid_query_value,
    invalid_type,
    lone_surrogate,
    media_not_supported,
    method_not_allowed,
    missing_required,
    nested_too_deeply,
    not_found,
    out_of_range,
    request_too_large,
    unknown_parameter,
    unsupported_value,
    url_not_found,
)

__all__ = [
    "REAL_API_HINT_EN",
    "REAL_API_HINT_ZH",
    "APIError",
    "invalid",
    "server_error",
    "missing_required",
    "invalid_type",
    "unsupported_value",
    "array_too_long",
    "array_too_short",
    "out_of_range",
    "unknown_parameter",
    "body_not_object",
    "invalid_json",
    "lone_surrogate",
    "nested_too_deeply",
    "request_too_large",
    "invalid_query_value",
    "media_not_supported",
    "url_not_found",
    "method_not_allowed",
    "http_error",
    "not_found",
    "missing_api_key",
    "incorrect_api_key",
    "admin_key_required",
    "rate_limited",
    "tpm_request_too_large",
    "tpm_reached",
    "rpm_reached",
    "too_many_concurrent",
    "overloaded",
    "shutting_down",
    "unexpected",
    "generation_failed",
    "model_not_found",
    "real_api_only",
    "wrong_model_kind",
    "context_length_exceeded",
    "previous_response_not_found",
    "background_needs_store",
    "background_stream_not_supported",
    "cannot_cancel_synchronous",
    "output_cap_exceeded",
    "json_mode_needs_json_word",
    "top_logprobs_needs_logprobs",
    "model_rejected",
    "model_cannot_template",
    "model_failed",
    "insufficient_quota",
    "upstream_unreachable",
    "upstream_broke_off",
    "upstream_refused_credentials",
    "upstream_out_of_quota",
    "upstream_busy",
    "upstream_failed",
    "upstream_rejected",
]
