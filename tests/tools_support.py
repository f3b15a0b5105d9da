"""Shared pieces of the function-calling tests: a Qwen server, tools, raw HTTP helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract import assert_exact  # noqa: F401  (re-exported for the tools tests)
from server_proc import SESSION, ServerProcess

QWEN = Path(os.environ.get("COURSE_TOOLS_TEST_MODEL", Path.home() / ".cache/openai-course/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"))
CHAT = "gpt-4o-mini"

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name, e.g. Paris"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
CURRENCY = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount of money from one currency to another.",
        "parameters": {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "from_currency": {"type": "string", "description": "ISO 4217 code, e.g. USD"},
                "to_currency": {"type": "string", "description": "ISO 4217 code, e.g. EUR"},
            },
            "required": ["amount", "from_currency", "to_currency"],
        },
    },
}
TOOLS = [WEATHER, CURRENCY]


def tool_server_fixture():
    """The session server when it already runs Qwen (the course default), else a Qwen server of our own."""
    srv = SESSION.get("server")
    if srv is not None and "qwen" in srv.wait_healthy()["chat_model"]:
        yield srv
        return
    if not QWEN.exists():
        pytest.skip(f"Qwen2.5-Coder-0.5B GGUF not found at {QWEN} (python -m helpers.local fetch)")
    own = ServerProcess("--model", str(QWEN), "--parallel", "2")
    try:
        own.wait_healthy(timeout=300)
        yield own
    finally:
        own.stop()


def raw_post(server: ServerProcess, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.base_url + path, json=body, headers={"Authorization": "Bearer test"}, timeout=300)


def sse_events(server: ServerProcess, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The data objects of a streamed answer, read off the wire."""
    out = []
    with httpx.stream("POST", server.base_url + path, json={**body, "stream": True}, headers={"Authorization": "Bearer test"}, timeout=300) as r:
        assert r.status_code == 200, r.read()
        for line in r.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                out.append(json.loads(line[6:]))
    return out
