"""Server-sent events: the API's framing (`data: {...}`, named events, `[DONE]`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi.responses import StreamingResponse

DONE = b"data: [DONE]\n\n"


def sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def coalesced(events: AsyncIterator[bytes], nothing_waiting: Callable[[], bool]) -> AsyncIterator[bytes]:
    """Send the events that are already waiting in one write: under load this saves a
    wake-up and a syscall per token; a lone token still goes out at once."""
    buf: list[bytes] = []
    async for piece in events:
        buf.append(piece)
        if nothing_waiting():
            yield b"".join(buf)
            buf.clear()
    if buf:
        yield b"".join(buf)


def sse_response(events: AsyncIterator[bytes], nothing_waiting: Callable[[], bool] = lambda: True) -> StreamingResponse:
    return StreamingResponse(coalesced(events, nothing_waiting), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
