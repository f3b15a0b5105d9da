"""The body of `POST /course/v1/progress`, checked field by field like the API checks its
own bodies (400 invalid_request_error naming the param, in English and Chinese).

The notebook sends: `exercise` (an id the course knows, e.g. "03.2"), `passed`
(bool), `attempt` (its own count, from 1) and `time` (epoch seconds, when the
check ran). `answer` is kept only when the teacher started the server with
`--collect-answers`; otherwise it is dropped unread.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import APIError, invalid

MAX_ANSWER_CHARS = 2000
MAX_BODY_BYTES = 16 * 1024
FIELDS = {"exercise", "passed", "attempt", "time", "answer"}


@dataclass(frozen=True)
class Report:
    exercise: str
    passed: bool
    attempt: int
    answer: str | None


async def read_report(request) -> Any:
    """The JSON body, at most MAX_BODY_BYTES (a report is a few dozen bytes)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise APIError(413, f"Request body too large: a progress report is at most {MAX_BODY_BYTES} bytes.",
                           f"请求体太大：一条进度报告最多 {MAX_BODY_BYTES} 字节。", code="request_too_large")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise invalid("We could not parse the JSON body of your request.", "无法解析请求体中的 JSON。") from None


def _need(ok: bool, param: str, en: str, zh: str) -> None:
    if not ok:
        raise invalid(en, zh, param=param, code="invalid_value" if param in FIELDS else None)


def parse_report(body: Any, known: set[str], collect_answers: bool) -> Report:
    _need(isinstance(body, dict), None, "The body must be a JSON object.", "请求体必须是 JSON 对象。")
    extra = sorted(set(body) - FIELDS)
    _need(not extra, extra[0] if extra else None, f"Unrecognized request argument supplied: {', '.join(extra)}",
          f"不认识的请求参数：{', '.join(extra)}")
    ex = body.get("exercise")
    _need(isinstance(ex, str) and ex in known, "exercise", f"Unknown exercise {ex!r}: use an id such as '03.2'.",
          f"未知的练习 {ex!r}：请使用 '03.2' 这样的编号。")
    _need(isinstance(body.get("passed"), bool), "passed", "'passed' must be true or false.", "'passed' 必须是 true 或 false。")
    attempt = body.get("attempt", 1)
    _need(isinstance(attempt, int) and not isinstance(attempt, bool) and 1 <= attempt <= 1_000_000, "attempt",
          "'attempt' must be an integer from 1.", "'attempt' 必须是从 1 开始的整数。")
    t = body.get("time")
    _need(t is None or (isinstance(t, (int, float)) and not isinstance(t, bool)), "time",
          "'time' must be a number of seconds since 1970.", "'time' 必须是自 1970 年起的秒数。")
    answer = body.get("answer")
    _need(answer is None or (isinstance(answer, str) and len(answer) <= MAX_ANSWER_CHARS), "answer",
          f"'answer' must be a string of at most {MAX_ANSWER_CHARS} characters.", f"'answer' 必须是不超过 {MAX_ANSWER_CHARS} 个字符的字符串。")
    return Report(ex, body["passed"], attempt, answer if collect_answers else None)
