"""Checks for notebook 11 (errors, rate limits and cost).

The checks run the learner's functions on the SDK's own exception objects (built
the way the SDK builds them from an HTTP answer), so `isinstance`, `.code` and
`.response.headers` behave exactly as after a real failed request, without a
server or a minute-long wait for a rate-limit window.
"""

from __future__ import annotations

import inspect
import math

import httpx2
import openai
from openai.types import CompletionUsage
from openai.types.completion_usage import CompletionTokensDetails, PromptTokensDetails

from . import exercise, failed, passed

URL = "https://api.openai.com/v1/chat/completions"
# Example prices in USD per 1M tokens for gpt-4o-mini as of 2025-02-28 (https://openai.com/api/pricing/): not current.
EXAMPLE_PRICE = {"input": 0.15, "cached_input": 0.075, "output": 0.60}


def _request() -> httpx2.Request:
    return httpx2.Request("POST", URL)


def api_error(status: int, code: str | None, error_type: str, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    """The exception the SDK raises for this HTTP error answer (its own status → class mapping)."""
    response = httpx2.Response(status, headers=headers or {}, request=_request())
    body = {"message": f"Example {status} error.", "type": error_type, "param": None, "code": code}
    classes = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        429: openai.RateLimitError,
    }
    cls = classes.get(status, openai.InternalServerError)
    return cls(f"Error code: {status} - {body}", response=response, body=body)


def rate_limited(retry_after: str | None = None) -> openai.RateLimitError:
    headers = {"retry-after": retry_after} if retry_after else {}
    return api_error(429, "rate_limit_exceeded", "requests", headers)


def no_quota() -> openai.RateLimitError:
    return api_error(429, "insufficient_quota", "insufficient_quota")


# (description en, description zh, error, worth retrying)
CASES = [
    ("a 429 rate_limit_exceeded", "429 rate_limit_exceeded", lambda: rate_limited("2"), True),
    ("a 429 insufficient_quota", "429 insufficient_quota", no_quota, False),
    ("an APIConnectionError", "APIConnectionError", lambda: openai.APIConnectionError(request=_request()), True),
    ("an APITimeoutError", "APITimeoutError", lambda: openai.APITimeoutError(request=_request()), True),
    ("a 500 InternalServerError", "500 InternalServerError", lambda: api_error(500, None, "server_error"), True),
    ("a 503 (server overloaded)", "503（服务器过载）", lambda: api_error(503, None, "server_error"), True),
    ("a 400 BadRequestError", "400 BadRequestError", lambda: api_error(400, "invalid_value", "invalid_request_error"), False),
    ("a 401 AuthenticationError", "401 AuthenticationError", lambda: api_error(401, "invalid_api_key", "invalid_request_error"), False),
    ("a 403 PermissionDeniedError", "403 PermissionDeniedError", lambda: api_error(403, None, "invalid_request_error"), False),
    ("a 404 NotFoundError", "404 NotFoundError", lambda: api_error(404, "model_not_found", "invalid_request_error"), False),
]


@exercise("11.1")
def _(answer):
    if not callable(answer):
        return failed("Give a function should_retry(error) that returns True or False.", "请给出一个返回 True 或 False 的函数 should_retry(error)。")
    for en, zh, make, want in CASES:
        got = answer(make())
        if not isinstance(got, bool):
            return failed(
                f"should_retry should return True or False; for {en} it returned {got!r}.", f"should_retry 应当返回 True 或 False；对 {zh} 它返回了 {got!r}。"
            )
        if got != want:
            if want:
                return failed(f"{en} is worth retrying: the same request can succeed a little later.", f"{zh} 值得重试：同样的请求过一会儿可能就会成功。")
            if en.endswith("insufficient_quota"):
                return failed(
                    "A 429 with code insufficient_quota is not worth retrying: no credit comes back by waiting. Look at error.code, not only the class.",
                    "错误码为 insufficient_quota 的 429 不值得重试：等待不会让余额回来。要看 error.code，而不只是异常类。",
                )
            return failed(
                f"{en} is not worth retrying: the same request fails the same way until you change it.", f"{zh} 不值得重试：请求不改，再发多少次结果都一样。"
            )
    return passed(
        "Correct: retry connection problems, timeouts, rate limits and server errors; fix everything else.",
        "正确：连接问题、超时、速率限制和服务器错误值得重试；其余的错误要修改请求或设置。",
    )


class _Script:
    """A call that raises the given errors in turn, then returns "ok"; records every sleep."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = 0
        self.sleeps: list[float] = []
        self.last_error = None

    def call(self):
        self.calls += 1
        if self.errors:
            self.last_error = self.errors.pop(0)
            raise self.last_error
        return "ok"

    def sleep(self, seconds):
        self.sleeps.append(float(seconds))


def _run(fn, script: _Script, **kwargs):
    """(result, the exception it raised or None)."""
    try:
        return fn(script.call, sleep=script.sleep, **kwargs), None
    except openai.OpenAIError as e:
        return None, e


def _delays_ok(sleeps: list[float], expected: list[float]) -> bool:
    return len(sleeps) == len(expected) and all(0.75 * want <= got <= 1.25 * want for got, want in zip(sleeps, expected))


def _signature_problem(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return not all(name in params for name in ("max_attempts", "base_delay", "sleep"))


def _check_backoff(fn):
    """None when every case passes, else the feedback for the first that does not."""
    script = _Script([rate_limited(), rate_limited()])
    result, error = _run(fn, script, max_attempts=5, base_delay=1.0)
    if error is not None or result != "ok" or script.calls != 3:
        return failed(
            f"After two rate-limit errors the third call succeeds: return its result ('ok'). Your function called "
            f"{script.calls} time(s) and {'raised ' + type(error).__name__ if error else 'returned ' + repr(result)}.",
            f"两次速率限制错误之后，第三次调用成功：应当返回它的结果（'ok'）。你的函数调用了 {script.calls} 次，"
            f"{'抛出了 ' + type(error).__name__ if error else '返回了 ' + repr(result)}。",
        )
    if not _delays_ok(script.sleeps, [1.0, 2.0]):
        return failed(
            f"With base_delay=1 wait about 1 s, then 2 s (base_delay × 2 ** retry, through sleep(seconds)); your waits: {script.sleeps}.",
            f"base_delay=1 时先等约 1 秒，再等约 2 秒（base_delay × 2 ** 重试次数，用参数 sleep(秒数) 来等）；你的等待：{script.sleeps}。",
        )
    script = _Script([rate_limited() for _ in range(5)])
    result, error = _run(fn, script, max_attempts=3, base_delay=1.0)
    if script.calls != 3 or error is not script.last_error:
        return failed(
            f"When every call is rate-limited, stop after max_attempts=3 calls and raise the last error itself. "
            f"Your function called {script.calls} time(s) and {'raised ' + type(error).__name__ if error else 'raised nothing'}.",
            f"每次调用都被限速时，调用 max_attempts=3 次后就停下，并把最后一个错误原样抛出。"
            f"你的函数调用了 {script.calls} 次，{'抛出了 ' + type(error).__name__ if error else '没有抛出错误'}。",
        )
    for make, en, zh in (
        (no_quota, "insufficient_quota", "insufficient_quota"),
        (lambda: api_error(400, "invalid_value", "invalid_request_error"), "a 400 BadRequestError", "400 BadRequestError"),
    ):
        script = _Script([make(), make()])
        result, error = _run(fn, script, max_attempts=5, base_delay=1.0)
        if script.calls != 1 or script.sleeps or error is not script.last_error:
            return failed(
                f"Do not retry {en}: raise it at once (your function called {script.calls} time(s), waited {script.sleeps}).",
                f"不要重试 {zh}：立即抛出（你的函数调用了 {script.calls} 次，等待了 {script.sleeps}）。",
            )
    script = _Script([openai.APIConnectionError(request=_request())])
    result, error = _run(fn, script, max_attempts=5, base_delay=1.0)
    if result != "ok":
        return failed("A connection error is worth a retry too.", "连接错误也值得重试。")
    script = _Script([rate_limited("7")])
    result, error = _run(fn, script, max_attempts=5, base_delay=0.5)
    if result != "ok" or not script.sleeps or not 7 <= script.sleeps[0] <= 10.5:
        return failed(
            f"When the 429 says Retry-After: 7, wait (at least) those 7 seconds, not base_delay; your waits: {script.sleeps}. "
            "Read it with error.response.headers.get('retry-after').",
            f"429 带有 Retry-After: 7 时，要等（至少）这 7 秒，而不是 base_delay；你的等待：{script.sleeps}。"
            "用 error.response.headers.get('retry-after') 读取。",
        )
    return None


@exercise("11.2")
def _(answer):
    if not callable(answer) or _signature_problem(answer):
        return failed(
            "Give a function with_backoff(call, max_attempts=5, base_delay=1.0, sleep=time.sleep).",
            "请给出函数 with_backoff(call, max_attempts=5, base_delay=1.0, sleep=time.sleep)。",
        )
    problem = _check_backoff(answer)
    if problem:
        return problem
    return passed(
        "Correct: exponential backoff that honours Retry-After, gives up in time and never retries what waiting cannot fix.",
        "正确：指数退避，遵守 Retry-After，按时放弃，也不重试等待解决不了的错误。",
    )


def _usage(prompt: int, completion: int, cached: int | None) -> CompletionUsage:
    details = None if cached is None else PromptTokensDetails(cached_tokens=cached, audio_tokens=0)
    return CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=details,
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=0, audio_tokens=0),
    )


def _cost(prompt: int, completion: int, cached: int, price: dict[str, float]) -> float:
    return ((prompt - cached) * price["input"] + cached * price["cached_input"] + completion * price["output"]) / 1_000_000


@exercise("11.3")
def _(answer):
    if not callable(answer):
        return failed("Give a function cost_usd(usage, price) that returns a number of dollars.", "请给出一个返回美元金额的函数 cost_usd(usage, price)。")
    for prompt, completion, cached in ((1_000_000, 0, 0), (2_000, 500, None), (12_000, 300, 8_192)):
        want = _cost(prompt, completion, cached or 0, EXAMPLE_PRICE)
        try:
            got = float(answer(_usage(prompt, completion, cached), dict(EXAMPLE_PRICE)))
        except (AttributeError, TypeError) as e:
            if cached is None:
                return failed(
                    f"usage.prompt_tokens_details may be None (some models and servers send none): then nothing was cached ({e}).",
                    f"usage.prompt_tokens_details 可能是 None（有的模型和服务器不返回它）：这时没有缓存的词元（{e}）。",
                )
            raise
        if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-12):
            continue
        if math.isclose(got, want * 1_000_000, rel_tol=1e-6) or math.isclose(got, want * 1_000, rel_tol=1e-6):
            return failed("Prices are in dollars per million tokens: divide by 1,000,000.", "价格是“美元 / 百万词元”：要除以 1,000,000。")
        if cached and math.isclose(got, _cost(prompt, completion, 0, EXAMPLE_PRICE), rel_tol=1e-6):
            return failed(
                "Cached input tokens cost less: bill usage.prompt_tokens_details.cached_tokens at price['cached_input'].",
                "缓存的输入词元更便宜：usage.prompt_tokens_details.cached_tokens 要按 price['cached_input'] 计费。",
            )
        if cached and math.isclose(got, want + cached * EXAMPLE_PRICE["input"] / 1_000_000, rel_tol=1e-6):
            return failed(
                "cached_tokens are part of prompt_tokens: bill only prompt_tokens − cached_tokens at the full input price.",
                "cached_tokens 已经包含在 prompt_tokens 里：只有 prompt_tokens − cached_tokens 按完整的输入价格计费。",
            )
        return failed(
            f"For {prompt} prompt tokens ({cached or 0} cached) and {completion} completion tokens the cost is ${want:.6f}; you gave ${got:.6f}.",
            f"{prompt} 个提示词元（其中 {cached or 0} 个已缓存）加 {completion} 个补全词元，费用是 {want:.6f} 美元；你的结果是 {got:.6f} 美元。",
        )
    return passed(
        "Correct: input, cached input and output tokens, each at its own price per million.", "正确：输入、缓存输入和输出词元，各按自己的“每百万词元价格”计费。"
    )


def _seconds(timeout) -> float | None:
    if isinstance(timeout, (int, float)):
        return float(timeout)
    read = getattr(timeout, "read", None)
    return float(read) if isinstance(read, (int, float)) else None


@exercise("11.4")
def _(answer):
    if isinstance(answer, dict):
        return failed(
            "Give the client itself, made with client.with_options(...), not a dict of options.",
            "请给出客户端本身（用 client.with_options(...) 得到），而不是选项字典。",
        )
    if not isinstance(answer, openai.OpenAI):
        return failed("Give an OpenAI client: client.with_options(...) returns one.", "请给出一个 OpenAI 客户端：client.with_options(...) 会返回一个。")
    if answer.max_retries != 0:
        return failed(
            f"This client still retries {answer.max_retries} time(s) on its own: set max_retries=0.",
            f"这个客户端仍会自动重试 {answer.max_retries} 次：请设置 max_retries=0。",
        )
    if _seconds(answer.timeout) != 20:
        return failed(
            f"Set timeout=20 (seconds); this client's timeout is {answer.timeout}.", f"请设置 timeout=20（秒）；这个客户端的超时是 {answer.timeout}。"
        )
    return passed(
        "Correct: one try of at most 20 seconds; your own retry code decides what happens next.",
        "正确：只试一次，最多 20 秒；接下来怎么做，由你自己的重试代码决定。",
    )
