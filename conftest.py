"""Session-wide setup for every test, notebooks included (nbval kernels inherit this env).

One real offline server is started for the whole run and its port exported as
COURSE_LOCAL_PORT, so notebooks reuse it through `get_client()` rather than
starting their own. COURSE_BACKEND=offline keeps a developer's own
OPENAI_API_KEY out of the tests.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

from server_proc import SESSION, ServerProcess  # noqa: E402


def pytest_sessionstart(session):
    os.environ["COURSE_BACKEND"] = "offline"
    # check() keeps each attempt for helpers.progress(): in a test run, not in the learner's own cache
    os.environ["COURSE_PROGRESS_DB"] = os.path.join(tempfile.mkdtemp(prefix="course-progress-"), "progress.sqlite3")
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "COURSE_CHAT_MODEL", "COURSE_EMBEDDING_MODEL"):
        os.environ.pop(name, None)
    srv = ServerProcess("--parallel", "4")
    SESSION["server"] = srv
    os.environ["COURSE_LOCAL_PORT"] = str(srv.port)


def pytest_sessionfinish(session, exitstatus):
    srv = SESSION.pop("server", None)
    if srv:
        srv.stop()
