"""After each `check(...)`: keep the attempt locally and, in class, tell the teacher.

When the notebook's backend is a class server (OPENAI_BASE_URL + a student key,
and the server's /health says it is this course's server), the attempt is posted
to `POST /course/v1/progress` with the student's key: exercise id, passed, attempt
number, time. Never to any other provider. It happens in a background thread
with a short timeout, after the check has already answered: a slow or absent
network never slows or breaks a check. `COURSE_PROGRESS_REPORTING=off` turns it off.

The answer text is sent only when the server has said it collects answers
(`serve --collect-answers`), and then the feedback says so on screen.
"""
from __future__ import annotations

import atexit
import inspect
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from ..backend import BackendConfigError, detect_backend
from ..local import SERVICE_NAME

SWITCH = "COURSE_PROGRESS_REPORTING"
OFF = {"0", "off", "false", "no"}
TIMEOUT = httpx.Timeout(2.0, connect=1.0)
FLUSH_AT_EXIT_S = 2.0
MAX_ANSWER_CHARS = 2000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClassServer:
    root: str  # http://host:port, without /v1
    key: str


def class_server(env=os.environ) -> ClassServer | None:
    """The class server this notebook talks to, or None (offline, real API, reporting off)."""
    if env.get(SWITCH, "").strip().lower() in OFF:
        return None
    try:
        backend = detect_backend(env)
    except BackendConfigError:
        return None
    if backend.kind != "compatible":
        return None
    root = backend.base_url.removesuffix("/v1")
    return ClassServer(root, backend.api_key)


def answer_text(answer: Any) -> str:
    """What the teacher sees of an answer: the text, or a function's source code."""
    if isinstance(answer, str):
        text = answer
    elif callable(answer):
        try:
            text = inspect.getsource(answer)
        except (OSError, TypeError):
            text = repr(answer)
    else:
        text = repr(answer)
    return text[:MAX_ANSWER_CHARS]


class Reporter:
    """One background thread posting reports in order; a full queue drops, never blocks."""

    def __init__(self) -> None:
        self.collects_answers: dict[str, bool] = {}  # what each server said in its last reply
        self._ours: dict[str, bool] = {}
        self._queue: queue.Queue = queue.Queue(maxsize=256)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, server: ClassServer, payload: dict[str, Any]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="course-progress", daemon=True)
                self._thread.start()
                atexit.register(self.flush, FLUSH_AT_EXIT_S)
        try:
            self._queue.put_nowait((server, payload))
        except queue.Full:
            pass

    def flush(self, timeout: float) -> bool:
        """Wait until every queued report is sent or given up (True), at most `timeout` s."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def _run(self) -> None:
        with httpx.Client(timeout=TIMEOUT) as http:
            while True:
                server, payload = self._queue.get()
                try:
                    self._send(http, server, payload)
                except Exception as e:  # noqa: BLE001 - best effort: a lost report is not the learner's problem
                    log.debug("progress report not sent: %s", type(e).__name__)
                finally:
                    self._queue.task_done()

    def _send(self, http: httpx.Client, server: ClassServer, payload: dict[str, Any]) -> None:
        if server.root not in self._ours:
            health = http.get(server.root + "/health")
            self._ours[server.root] = health.status_code == 200 and health.json().get("service") == SERVICE_NAME
        if not self._ours[server.root]:
            return  # another provider (DeepSeek, vLLM, ...): nothing is sent there
        r = http.post(server.root + "/course/v1/progress", json=payload, headers={"Authorization": f"Bearer {server.key}"})
        if r.status_code == 200:
            self.collects_answers[server.root] = bool(r.json().get("collect_answers"))


REPORTER = Reporter()


def after_check(exercise_id: str, answer: Any, feedback):
    """Record the attempt locally, queue the class report; return the feedback to show."""
    from .. import progress_book

    try:
        attempt = progress_book.record(exercise_id, feedback.ok)
    except Exception as e:  # noqa: BLE001 - a read-only or locked cache never breaks a check
        log.debug("local progress not kept: %s", e)
        attempt = 1
    server = class_server()
    if server is None:
        return feedback
    payload = {"exercise": exercise_id, "passed": feedback.ok, "attempt": attempt, "time": time.time()}
    if REPORTER.collects_answers.get(server.root):
        payload["answer"] = answer_text(answer)
        feedback = replace(feedback, shared=True)
    REPORTER.submit(server, payload)
    return feedback
