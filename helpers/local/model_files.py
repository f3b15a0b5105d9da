"""Checking and installing GGUF files: the sha256, the header, and atomic moves.

A model file is only ever used under its final name, and it only gets that name
after its hash and header have been checked (`os.replace` of a fully written
temporary file in the same folder). An interrupted fetch therefore leaves at most
a `*.part-*` file, which nothing loads and the next fetch removes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from .fetch_progress import Progress
from .gguf_header import GGUFInfo, NotAGGUF, read_header
from .model_catalog import KnownModel

BLOCK = 1 << 20


class ModelUnavailable(RuntimeError):
    """No usable chat model; the message says what happened and what to do, in both languages."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def _hash_book(cache_models: Path) -> Path:
    return cache_models / "hashes.json"


def cached_sha256(path: Path, cache_models: Path) -> str:
    """The file's sha256, hashed once per (size, mtime) and remembered in the cache:
    a 1 GB model is not re-hashed at every server start, but a changed file is."""
    book_path = _hash_book(cache_models)
    try:
        book = json.loads(book_path.read_text())
    except (OSError, ValueError):
        book = {}
    key, stamp = str(path.resolve()), _stamp(path)
    entry = book.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp:
        return entry["sha256"]
    digest = sha256_of(path)
    book[key] = {"stamp": stamp, "sha256": digest}
    cache_models.mkdir(parents=True, exist_ok=True)
    tmp = book_path.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(book, indent=1))
    os.replace(tmp, book_path)
    return digest


def check_header(path: Path, expected_arch: str | None = None) -> GGUFInfo:
    try:
        info = read_header(path)
    except (NotAGGUF, OSError) as e:
        raise ModelUnavailable(f"{path.name} is not a usable GGUF model file ({e}). / {path.name} 不是可用的 GGUF 模型文件（{e}）。") from None
    if expected_arch and info.architecture != expected_arch:
        raise ModelUnavailable(
            f"{path.name} says its architecture is {info.architecture!r}, expected {expected_arch!r}: wrong or tampered file. / "
            f"{path.name} 的架构是 {info.architecture!r}，应为 {expected_arch!r}：文件不对或被篡改。")
    return info


def remove_stale_parts(folder: Path) -> None:
    for stale in folder.glob("*.part-*"):
        stale.unlink(missing_ok=True)


def install_stream(model: KnownModel, sources: Iterable[BinaryIO], target: Path, progress: bool) -> Path:
    """Concatenate `sources` into `target` through a temporary file, hashing as it
    goes (memory stays flat whatever the model's size), then verify and move."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target.parent)
    tmp = target.with_name(f"{target.name}.part-{os.getpid()}")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out, Progress(model.size, f"{model.name} GGUF", progress) as bar:
            for src in sources:
                with src:
                    for block in iter(lambda: src.read(BLOCK), b""):
                        out.write(block)
                        h.update(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != model.sha256:
            raise ModelUnavailable(
                f"The assembled model's sha256 does not match (got {h.hexdigest()}, expected {model.sha256}): "
                "a part is damaged or has been tampered with; the file was not used. / "
                "组装出的模型文件 sha256 校验不一致：某个分卷已损坏或被篡改，该文件不会被使用。")
        check_header(tmp, model.architecture)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    cached_sha256(target, target.parent)
    return target


def install_copy(source: Path, target: Path, progress: bool, label: str) -> Path:
    """Copy a GGUF into the cache the same safe way (temporary file, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.part-{os.getpid()}")
    try:
        with open(source, "rb") as src, open(tmp, "wb") as out, Progress(source.stat().st_size, label, progress) as bar:
            for block in iter(lambda: src.read(BLOCK), b""):
                out.write(block)
                bar.update(len(block))
        shutil.copystat(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
