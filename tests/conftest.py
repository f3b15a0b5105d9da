"""Fixtures: the session's offline server (started in the root conftest.py), real SDK clients."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server_proc import SESSION, ServerProcess  # noqa: E402
from tools_support import tool_server_fixture  # noqa: E402

# Function-calling tests run on Qwen2.5-Coder-0.5B: one server for all of them.
tool_server = pytest.fixture(scope="session")(tool_server_fixture)

CHAT = "gpt-4o-mini"
EMBED = "text-embedding-3-small"


@pytest.fixture(scope="session")
def server():
    srv = SESSION["server"]
    srv.wait_healthy()
    return srv


@pytest.fixture(scope="session")
def client(server):
    from openai import OpenAI

    return OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=120)


@pytest.fixture(scope="session")
def aclient(server):
    from openai import AsyncOpenAI

    return AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=120)


@pytest.fixture(scope="session")
def keyed_server():
    """A server that wants keys and allows 3 requests per minute per key.

    The session shares it, so the rate-limit test has its own two keys
    (`sk-rate-…`): other modules spend student one's and two's minute budget.
    """
    keys = ("sk-student-one-0001", "sk-student-two-0002", "sk-rate-one-0003", "sk-rate-two-0004")
    srv = ServerProcess(*(a for k in keys for a in ("--api-key", k)), "--rpm", "3", "--parallel", "1")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()
