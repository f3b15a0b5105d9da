"""Course helpers: client setup, offline tokens, display and exercise tools.

`import helpers` reads a `.env` file (searched from the current folder upwards)
and makes tiktoken work offline. Nothing here hides an API call: notebooks call
`client.chat.completions.create(...)` themselves.
"""
from __future__ import annotations

from dotenv import find_dotenv, load_dotenv

load_dotenv(find_dotenv(usecwd=True), override=False)

from .tokens_offline import install_offline_encodings  # noqa: E402

install_offline_encodings()

from .backend import Backend, detect_backend  # noqa: E402

__all__ = ["get_client", "current_backend", "detect_backend", "Backend", "CHAT_MODEL", "EMBEDDING_MODEL", "progress"]


def __getattr__(name: str):
    # The client module (and the `openai` SDK, ~1 s to import) loads on first use,
    # so the offline server, which never needs it, starts faster.
    if name in ("get_client", "current_backend"):
        from . import client

        return getattr(client, name)
    if name == "progress":  # the learner's own table of exercises (progress_book.py)
        from .progress_book import progress

        return progress
    # Model names are read at use time so a .env or environment change is picked up.
    if name == "CHAT_MODEL":
        from .client import current_backend

        return current_backend().chat_model
    if name == "EMBEDDING_MODEL":
        from .client import current_backend

        return current_backend().embedding_model
    raise AttributeError(name)
