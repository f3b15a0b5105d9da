"""The usage book on its own: per-key counters, the token window, the console's minute line."""

from __future__ import annotations

from helpers.local.usage import UsageBook


def test_requests_tokens_and_errors_are_counted_per_key():
    book = UsageBook()
    book.request("h-alice", 200)
    book.request("h-alice", 429)
    book.request("h-bob", 200)
    book.tokens("h-alice", 10, 5)
    book.tokens("h-alice", 1, 2)
    report = book.report({"h-alice": "Alice", "h-bob": "Bob"})
    rows = [{k: v for k, v in row.items() if k != "last_seen"} for row in report["data"]]
    assert report["object"] == "list"
    assert rows == [
        {"key": "Alice", "requests": 2, "prompt_tokens": 11, "completion_tokens": 7, "errors": {"429": 1}},
        {"key": "Bob", "requests": 1, "prompt_tokens": 0, "completion_tokens": 0, "errors": {}},
    ]
    used, reset = book.tokens_last_minute("h-alice")
    assert used == 18 and 59 < reset <= 60
    assert book.tokens_last_minute("h-bob") == (0, 0.0)


def test_the_token_window_forgets_what_is_a_minute_old(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("helpers.local.usage.time.monotonic", lambda: clock[0])
    book = UsageBook()
    book.tokens("a", 10, 0)
    clock[0] += 30
    book.tokens("a", 5, 2)
    assert book.tokens_last_minute("a") == (17, 30.0)
    clock[0] += 30  # the first entry is now 60 s old
    assert book.tokens_last_minute("a") == (7, 30.0)
    clock[0] += 30
    assert book.tokens_last_minute("a") == (0, 0.0)
    book.tokens("a", 1, 1)
    assert book.tokens_last_minute("a") == (2, 60.0)


def test_the_minute_line_summarises_then_starts_again():
    book = UsageBook()
    assert book.minute_line({"busy": 0, "slots": 2, "waiting": 0}) is None
    book.request("a", 200)
    book.request("b", 503)
    book.tokens("a", 3, 4)
    line = book.minute_line({"busy": 1, "slots": 2, "waiting": 3})
    assert line == "[usage] last minute: 2 requests from 2 keys, 7 tokens, errors: 503×1; slots busy 1/2, waiting 3"
    assert book.minute_line({"busy": 0, "slots": 2, "waiting": 0}) is None


def test_completion_rate_is_tokens_per_second_in_buckets():
    book = UsageBook()
    book.tokens("a", 100, 50)
    rate = book.completion_rate(seconds=60)
    assert len(rate) == 6 and sorted(r for _, r in rate) == [0, 0, 0, 0, 0, 5.0]  # 50 tokens over one 10 s bucket
