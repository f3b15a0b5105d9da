"""Shared fixtures: one real offline server for the whole session, real SDK clients.

The session server is started before collection ends and its port exported as
COURSE_LOCAL_PORT, so notebooks run by nbval (whose kernels inherit this
environment) reuse it through `get_client()` instead of starting their own.
COURSE_BACKEND=offline keeps a developer's own OPENAI_API_KEY out of the tests.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server_proc import ServerProcess  # noqa: E402

CHAT = "gpt-4o-mini"
EMBED = "text-embedding-3-small"
_SESSION: dict[str, ServerProcess] = {}


def pytest_sessionstart(session):
    os.environ["COURSE_BACKEND"] = "offline"
    os.environ.pop("OPENAI_BASE_URL", None)
    srv = ServerProcess("--parallel", "4")
    _SESSION["server"] = srv
    os.environ["COURSE_LOCAL_PORT"] = str(srv.port)


def pytest_sessionfinish(session, exitstatus):
    srv = _SESSION.pop("server", None)
    if srv:
        srv.stop()


@pytest.fixture(scope="session")
def server():
    srv = _SESSION["server"]
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
    """A server that wants keys and allows 3 requests per minute per key."""
    srv = ServerProcess("--api-key", "sk-student-one-0001", "--api-key", "sk-student-two-0002", "--rpm", "3", "--parallel", "1")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()
