"""Everything shared by all requests: the models, the gate, the books, the runner."""

from __future__ import annotations

import time

import anyio

from . import errors
from .background import BackgroundResponses
from .budget import Budgets
from .config import ServerConfig
from .conversation_store import ConversationStore
from .engines.encoder import MODEL_ID as ENCODER_MODEL_ID
from .engines.encoder import EncoderLoader
from .engines.llama import ChatEngine
from .gate import KeyRing, Limits
from .models import ModelRegistry
from .response_store import ResponseStore
from .runner import Runner
from .scheduler import FairScheduler
from .store import CompletionStore
from .usage import UsageBook


class State:
    def __init__(self, config: ServerConfig, engine: ChatEngine | None, encoder: EncoderLoader, store: CompletionStore):
        self.config = config
        self.engine = engine  # None in gateway mode: chat goes to the upstreams
        self.encoder = encoder
        self.store = store
        self.responses = ResponseStore(store.db, config.retention_days)
        self.conversations = ConversationStore(store.db, config.retention_days)
        self.background = BackgroundResponses(self)
        self.chat_model_id = engine.model_id if engine else "upstream"
        self.registry = ModelRegistry(self.chat_model_id, ENCODER_MODEL_ID)
        self.keys = KeyRing(config.keys, config.admin_keys)
        self.limits = Limits(config.rpm, config.tpm)
        self.usage = UsageBook()
        self.budgets = Budgets(config.budget_tokens, config.budget_usd, config.prices)
        keyed = self.keys.enabled
        per_key = config.per_key_concurrency or (max(1, config.parallel // 2) if keyed else config.parallel)
        self.scheduler = FairScheduler(
            config.parallel, per_key, max_waiting=config.max_waiting, max_waiting_per_key=max(4, config.max_waiting // 8) if keyed else config.max_waiting
        )
        self.runner = Runner(self.scheduler, max(64, config.parallel * 16))
        self.encoder_threads = anyio.CapacityLimiter(2)
        self.shutting_down = False
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.model_note: str | None = None
        self.model_name: str | None = None  # the catalogue name (qwen0.5b ...), None for a GGUF given by path
        self.gateway = None
        if config.gateway:
            from .gateway.routes import Gateway

            self.gateway = Gateway(config.gateway, self.scheduler)

    def charge(self, who: str, models: tuple[str, ...], prompt: int, completion: int) -> None:
        """One answer's `usage`: the teacher's books and the key's budget, counted together so they never disagree."""
        self.usage.tokens(who, prompt, completion)
        self.budgets.charge(who, models, prompt, completion)

    def touch(self) -> None:
        """A request arrived: the idle clock starts again."""
        self.last_activity = time.monotonic()

    def idle_seconds(self) -> float:
        snap = self.scheduler.snapshot()
        if snap["busy"] or snap["waiting"] or self.runner.streams:
            return 0.0
        return time.monotonic() - self.last_activity

    def begin_shutdown(self) -> None:
        """Called on SIGINT/SIGTERM before connections are drained."""
        self.shutting_down = True
        self.scheduler.close()
        self.runner.interrupt_all(errors.shutting_down())
