"""Per-key request and token limits on their own: the API's 429s and x-ratelimit-* headers."""

from __future__ import annotations

import pytest

from helpers.local.errors import APIError
from helpers.local.gate import Limits


def test_requests_per_minute_count_each_key_apart():
    limits = Limits(rpm=2, tpm=None)
    first = limits.admit("a", "gpt-4o-mini", 10, (0, 0.0))
    assert first["x-ratelimit-limit-requests"] == "2" and first["x-ratelimit-remaining-requests"] == "1"
    assert limits.admit("a", "gpt-4o-mini", 10, (0, 0.0))["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(APIError) as e:
        limits.admit("a", "gpt-4o-mini", 10, (0, 0.0))
    assert (e.value.status, e.value.type, e.value.code) == (429, "requests", "rate_limit_exceeded")
    assert e.value.message.startswith("Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 2, Used 2, Requested 1.")
    assert e.value.headers["x-ratelimit-remaining-requests"] == "0" and 1 <= int(e.value.headers["Retry-After"]) <= 60
    assert limits.admit("b", "gpt-4o-mini", 10, (0, 0.0))["x-ratelimit-remaining-requests"] == "1"  # another key is untouched


def test_tokens_per_minute_refuse_what_would_pass_the_limit():
    limits = Limits(rpm=None, tpm=100)
    ok = limits.admit("a", "gpt-4o-mini", 30, (50, 12.0))
    assert ok == {"x-ratelimit-limit-tokens": "100", "x-ratelimit-remaining-tokens": "20", "x-ratelimit-reset-tokens": "12s"}
    with pytest.raises(APIError) as e:
        limits.admit("a", "gpt-4o-mini", 60, (50, 12.4))
    assert (e.value.status, e.value.type) == (429, "tokens")
    assert e.value.message.startswith("Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 100, Used 50, Requested 60. Please try again in 13s.")
    assert e.value.headers["Retry-After"] == "13"


def test_a_request_larger_than_the_whole_budget_is_too_large_not_early():
    limits = Limits(rpm=None, tpm=100)
    with pytest.raises(APIError) as e:
        limits.admit("a", "gpt-4o-mini", 150, (0, 0.0))
    assert e.value.message.startswith("Request too large for gpt-4o-mini on tokens per min (TPM): Limit 100, Requested 150.")
    assert e.value.headers["Retry-After"] == "60"


def test_no_limits_no_headers():
    assert Limits(None, None).admit("a", "gpt-4o-mini", 10**6, (10**6, 1.0)) == {}
