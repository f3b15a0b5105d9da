"""The test session's shared server registry; starting servers is `helpers.local.process`'s job."""
from __future__ import annotations

from helpers.local.process import ROOT, ServerProcess, free_port, stop_pid

SESSION: dict[str, ServerProcess] = {}  # the one server every test and notebook shares

__all__ = ["ROOT", "SESSION", "ServerProcess", "free_port", "stop_pid"]
