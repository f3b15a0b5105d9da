"""Where the course keeps downloaded models and caches (one place, overridable)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    """`COURSE_CACHE_DIR` if set, else the OS's user cache folder for this course."""
    d = Path(os.environ.get("COURSE_CACHE_DIR") or platformdirs.user_cache_dir("openai-course", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return d


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
