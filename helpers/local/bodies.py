"""Reading a request body the way the API does: size-capped, then strict JSON."""
from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from .errors import APIError, invalid


async def read_json(request: Request, limit: int) -> Any:
    """Read the body with a size cap (413 beyond it) and parse it like the API does."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. "
            "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            "无法解析请求体中的 JSON。（提示：OpenAI API 需要 JSON 格式的请求体，而收到的不是合法的 JSON。）",
        ) from None
    try:
        # JSON may escape a lone UTF-16 surrogate ("\ud800") that is not valid Unicode:
        # reject it here rather than fail later inside the tokenizer.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise invalid("Invalid JSON body: a string contains a lone surrogate (e.g. \\ud800), which is not valid Unicode.",
                      "请求体无效：字符串里有单独的代理项（如 \\ud800），不是合法的 Unicode。") from None
    except RecursionError:
        raise invalid("Invalid JSON body: nested too deeply.", "请求体无效：嵌套层级太深。") from None
    return body


def _too_large(limit: int) -> APIError:
    return APIError(413, f"Request body too large: the limit is {limit // (1024 * 1024)} MB.",
                    f"请求体太大：上限是 {limit // (1024 * 1024)} MB。", code="request_too_large")
