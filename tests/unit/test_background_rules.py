"""Background mode's request rules and failure codes on their own (the SDK-driven test is test_responses_background.py)."""

from __future__ import annotations

import pytest
from openai.types.responses.response_error import ResponseError

from helpers.local import background, errors


def test_only_a_true_background_is_background():
    assert background.check({"input": "Hi"}) is False
    assert background.check({"input": "Hi", "background": False, "store": False, "stream": True}) is False
    assert background.check({"input": "Hi", "background": True}) is True
    assert background.check({"input": "Hi", "background": True, "store": True}) is True


@pytest.mark.parametrize(("body", "param"), [({"store": False}, "background"), ({"stream": True}, "stream")])
def test_what_cannot_go_with_background_is_a_400(body, param):
    with pytest.raises(errors.APIError) as e:
        background.check({"input": "Hi", "background": True, **body})
    assert (e.value.status, e.value.param, e.value.code) == (400, param, "invalid_value")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.context_length_exceeded(2048, 3000), "invalid_prompt"),
        (errors.too_many_concurrent(2, 4), "rate_limit_exceeded"),
        (errors.shutting_down(), "server_error"),
        (errors.unexpected(), "server_error"),
    ],
)
def test_a_failure_is_a_response_error_the_sdk_accepts(error, code):
    failure = background._failure(error)
    assert failure == {"code": code, "message": error.message}
    ResponseError.model_validate(failure)
