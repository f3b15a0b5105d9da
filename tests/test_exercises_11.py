"""Exercise checks of notebook 11: the solutions pass, wrong answers fail with feedback in both languages."""

from __future__ import annotations

import re
import time

import openai
import pytest
from exercise_support import CJK, bad, ok

from helpers.exercises import check, exercise_ids

# --- the solutions (as in solutions/lesson11.md) -----------------------------------


def should_retry(error):
    if isinstance(error, openai.RateLimitError):
        return error.code != "insufficient_quota"
    return isinstance(error, (openai.APIConnectionError, openai.InternalServerError))


def with_backoff(call, max_attempts=5, base_delay=1.0, sleep=time.sleep):
    for attempt in range(max_attempts):
        try:
            return call()
        except openai.OpenAIError as error:
            if not should_retry(error) or attempt == max_attempts - 1:
                raise
            delay = base_delay * 2**attempt
            response = getattr(error, "response", None)
            retry_after = response.headers.get("retry-after") if response is not None else None
            if retry_after:
                delay = max(delay, float(retry_after))
            sleep(delay)


def cost_usd(usage, price):
    details = usage.prompt_tokens_details
    cached = (details.cached_tokens or 0) if details else 0
    return ((usage.prompt_tokens - cached) * price["input"] + cached * price["cached_input"] + usage.completion_tokens * price["output"]) / 1_000_000


@pytest.fixture(scope="module")
def sdk_client():
    return openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="not-used")  # never sends a request here


def test_lesson_11_has_its_exercises():
    assert {"11.1", "11.2", "11.3", "11.4", "11.5"} <= set(exercise_ids())


def test_10_1_classify_errors():
    ok("11.1", should_retry)
    bad("11.1", lambda e: isinstance(e, openai.RateLimitError) and e.code != "insufficient_quota", "APIConnectionError")
    bad("11.1", lambda e: isinstance(e, (openai.RateLimitError, openai.APIConnectionError, openai.InternalServerError)), "insufficient_quota")
    bad("11.1", lambda e: True, "not worth retrying")
    bad("11.1", lambda e: "yes")
    bad("11.1", "RateLimitError")


def test_10_2_backoff():
    ok("11.2", with_backoff)

    def retries_everything(call, max_attempts=5, base_delay=1.0, sleep=time.sleep):
        for attempt in range(max_attempts):
            try:
                return call()
            except openai.OpenAIError:
                if attempt == max_attempts - 1:
                    raise
                sleep(base_delay * 2**attempt)

    def fixed_delay(call, max_attempts=5, base_delay=1.0, sleep=time.sleep):
        for attempt in range(max_attempts):
            try:
                return call()
            except openai.OpenAIError as error:
                if not should_retry(error) or attempt == max_attempts - 1:
                    raise
                sleep(base_delay)

    def ignores_retry_after(call, max_attempts=5, base_delay=1.0, sleep=time.sleep):
        for attempt in range(max_attempts):
            try:
                return call()
            except openai.OpenAIError as error:
                if not should_retry(error) or attempt == max_attempts - 1:
                    raise
                sleep(base_delay * 2**attempt)

    def swallows_the_error(call, max_attempts=5, base_delay=1.0, sleep=time.sleep):
        try:
            return with_backoff(call, max_attempts, base_delay, sleep)
        except openai.OpenAIError:
            return None

    bad("11.2", retries_everything, "insufficient_quota")
    bad("11.2", fixed_delay, "2 s")
    bad("11.2", ignores_retry_after, "Retry-After")
    bad("11.2", swallows_the_error, "raise the last error")
    bad("11.2", lambda call: call(), "with_backoff(call, max_attempts")


def test_10_3_cost_from_usage():
    ok("11.3", cost_usd)

    def ignores_cache(usage, price):
        return (usage.prompt_tokens * price["input"] + usage.completion_tokens * price["output"]) / 1_000_000

    def per_thousand(usage, price):
        return cost_usd(usage, price) * 1_000

    def counts_cache_twice(usage, price):
        cached = usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else 0
        return (usage.prompt_tokens * price["input"] + cached * price["cached_input"] + usage.completion_tokens * price["output"]) / 1_000_000

    def crashes_without_details(usage, price):
        cached = usage.prompt_tokens_details.cached_tokens
        return ((usage.prompt_tokens - cached) * price["input"] + cached * price["cached_input"] + usage.completion_tokens * price["output"]) / 1_000_000

    bad("11.3", ignores_cache, "cached_input")
    bad("11.3", per_thousand, "per million")
    bad("11.3", counts_cache_twice, "part of prompt_tokens")
    bad("11.3", crashes_without_details, "None")
    bad("11.3", lambda usage, price: usage.total_tokens * price["input"] / 1_000_000)
    bad("11.3", 0.0021)


def test_10_4_client_options(sdk_client):
    ok("11.4", sdk_client.with_options(timeout=20, max_retries=0))
    ok("11.4", sdk_client.with_options(timeout=20.0, max_retries=0))
    bad("11.4", sdk_client.with_options(timeout=20), "max_retries=0")
    bad("11.4", sdk_client.with_options(max_retries=0), "timeout=20")
    bad("11.4", {"timeout": 20, "max_retries": 0}, "with_options")
    bad("11.4", "client.with_options(timeout=20, max_retries=0)")


SOLUTION = re.compile(r"\*\*(11\.\d+)\*\*\s+```python\n(.*?)```", re.S)


def test_teacher_solutions_pass(sdk_client, server):
    """solutions/lesson11.md, run in order in one namespace (11.2 uses 11.1's should_retry), as a
    notebook would; 11.5 asks the session's offline model."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "solutions" / "lesson11.md").read_text(encoding="utf-8")
    found = SOLUTION.findall(text)
    assert [i for i, _ in found] == ["11.1", "11.2", "11.3", "11.4", "11.5"]
    ns = {"client": sdk_client}
    for exercise_id, src in found:
        exec(src, ns)
        ok(exercise_id, ns["answer"])


# --- 11.5, prompt-and-judge: the system message runs on the session's real offline model -------

SHORT_ENOUGH = "Answer in one sentence of at most 12 words. No explanations."


def test_11_5_a_short_form_finishes_within_the_cap(server):
    fb = check("11.5", SHORT_ENOUGH)
    assert fb.ok, str(fb)
    assert "stop" in fb.en and CJK.search(fb.zh)


def test_11_5_a_vague_instruction_is_cut_off(server):
    """'Be concise.' is not enough for the small model: the answer runs past 40 tokens."""
    bad("11.5", "Be concise.", "length", "billed")


def test_11_5_without_a_system_message_both_answers_are_cut_off(client):
    """What the exercise text says of the offline model: the task needs a prompt."""
    from helpers.exercises.lesson11_prompt import CAP, QUESTIONS

    for question in QUESTIONS:
        r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}], temperature=0, max_completion_tokens=CAP)
        assert r.choices[0].finish_reason == "length", (question, r.choices[0].message.content)


@pytest.mark.parametrize("answer", ["", "   ", 40, ["Answer briefly."]])
def test_11_5_wrong_shapes_get_feedback(answer):
    bad("11.5", answer, "string")
