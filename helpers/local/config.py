"""Every default of the offline server, defined once.

The command line (`__main__.py`), `ServerConfig` and the client helpers
(`helpers/backend.py`, `helpers/client.py`) all read their defaults from here, so
changing a port or a limit is a one-line change. This module imports nothing
from the server, so the notebooks' helpers may import it cheaply.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

# What /health says, so get_client() never mistakes another program on the port for ours.
SERVICE_NAME = "openai-course-offline"

# `serve`'s exit code when another program holds its port (get_client() then waits for that
# server: another notebook may have won the race to start one, and still be loading its model).
PORT_TAKEN_EXIT = 4

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 18765
PORT_ENV = "COURSE_LOCAL_PORT"
DEFAULT_PARALLEL = 4
DEFAULT_CTX_PER_SLOT = 8192
MIN_CTX_PER_SLOT = 256
DEFAULT_MAX_WAITING = 256
DEFAULT_MAX_TOKENS = 1024  # output limit when a chat request sets none
DEFAULT_MAX_OUTPUT_TOKENS = 4096  # largest max_tokens accepted, like a model's output limit
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_RETENTION_DAYS = 30.0  # the API keeps stored completions 30 days
MAX_LLAMA_THREADS = 8
DEFAULT_IDLE_TIMEOUT_MIN = 0.0  # a server started by hand runs until stopped
AUTO_START_IDLE_TIMEOUT_MIN = 30.0  # one get_client() started ends itself after this long unused (COURSE_IDLE_MINUTES)


def port_from_env(env: Mapping[str, str] = os.environ, default: int = DEFAULT_PORT) -> int:
    """The port named by COURSE_LOCAL_PORT; raises ValueError when it is not a number."""
    return int(env.get(PORT_ENV) or default)


@dataclass
class ServerConfig:
    """One server's settings; every default comes from the constants above."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    keys: list = field(default_factory=list)  # list[keys.KeyEntry]
    admin_keys: list[str] = field(default_factory=list)
    parallel: int = DEFAULT_PARALLEL
    model: str | None = None  # a catalogue name (qwen0.5b, qwen1.5b, smollm2) or a GGUF path; None: COURSE_LOCAL_MODEL or the default
    ctx_per_slot: int = DEFAULT_CTX_PER_SLOT
    threads: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    per_key_concurrency: int | None = None  # default: half the slots with keys, all without
    max_waiting: int = DEFAULT_MAX_WAITING
    default_max_tokens: int = DEFAULT_MAX_TOKENS
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    db_path: str | None = None
    retention_days: float = DEFAULT_RETENTION_DAYS
    log_prompts: bool = False
    idle_timeout_min: float = DEFAULT_IDLE_TIMEOUT_MIN  # exit after this long without requests (0: never)
    collect_answers: bool = False  # the dashboard keeps exercise answer text (the notebook says so)
    profile: frozenset[str] = frozenset()  # capability flags (profile.py): endpoints this server pretends not to have
    budget_tokens: int | None = None  # tokens each key may use in total, then insufficient_quota (budget.py)
    budget_usd: float | None = None  # money each key may spend in total, priced by `prices`
    prices: dict = field(default_factory=dict)  # model name -> gateway.config.Price
    gateway: object = None  # a gateway.config.GatewayConfig: generation goes to upstream engines, no local chat model
