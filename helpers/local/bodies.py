"""Reading a request body the way the API does: strict JSON, valid Unicode.
(The size limit is the middleware's job.)"""
from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from . import errors


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise errors.invalid_json() from None
    try:
        # JSON may escape a lone UTF-16 surrogate ("\ud800") that is not valid Unicode:
        # reject it here rather than fail later inside the tokenizer.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise errors.lone_surrogate() from None
    except RecursionError:
        raise errors.nested_too_deeply() from None
    return body
