"""What the teacher configures for gateway mode, parsed from the command line and small TOML files.

Keys never appear on the command line (anyone on the machine can read a process's
arguments, and shells keep a history): `--upstream-key-env VAR` names the
environment variable that holds the key, and only the variable's name is kept in
anything printable.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

KINDS = ("chat", "embeddings")  # chat serves chat completions, completions and responses


class GatewayConfigError(ValueError):
    """A configuration mistake, reported at start-up in both languages."""


@dataclass(frozen=True)
class UpstreamSpec:
    url: str  # base URL ending in /v1
    kinds: tuple[str, ...]
    key: str | None = field(default=None, repr=False)  # never printed, never logged
    label: str = ""  # "upstream-1": what logs and errors call it instead of its URL


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1_000_000


@dataclass
class GatewayConfig:
    upstreams: list[UpstreamSpec]
    model_map: dict[str, str] = field(default_factory=dict)
    concurrency_per_upstream: int = 8
    connect_timeout: float = 3.0
    read_timeout: float = 600.0

    def serves(self, kind: str) -> bool:
        return any(kind in u.kinds for u in self.upstreams)


def parse_upstream(value: str, index: int, key_env: str | None) -> UpstreamSpec:
    """`URL` (every kind) or `chat=URL` / `embeddings=URL`; the key comes from `key_env`."""
    kinds: tuple[str, ...] = KINDS
    head, sep, rest = value.partition("=")
    if sep and head in KINDS:
        kinds, value = (head,), rest
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GatewayConfigError(
            f"--upstream needs an http(s) URL such as http://gpu-server:8000/v1 (upstream {index + 1}). / "
            f"--upstream 需要 http(s) 地址，例如 http://gpu-server:8000/v1（第 {index + 1} 个）。"
        )
    if parts.username or parts.password:
        raise GatewayConfigError(
            "Put an upstream's key in an environment variable (--upstream-key-env VAR), not in its URL. / "
            "请把上游密钥放进环境变量（--upstream-key-env 变量名），不要写进 URL。"
        )
    url = value.rstrip("/")
    if not url.endswith("/v1"):
        url += "/v1"
    key = None
    if key_env:
        key = os.environ.get(key_env)
        if not key:
            raise GatewayConfigError(
                f"The environment variable {key_env} (--upstream-key-env) is empty or not set. / 环境变量 {key_env}（--upstream-key-env）为空或未设置。"
            )
    return UpstreamSpec(url, kinds, key, f"upstream-{index + 1}")


def pair_key_envs(upstreams: list[str], key_envs: list[str]) -> list[str | None]:
    """One `--upstream-key-env` for all upstreams, or one per upstream in the same order."""
    if not key_envs:
        return [None] * len(upstreams)
    if len(key_envs) == 1:
        return key_envs * len(upstreams)
    if len(key_envs) != len(upstreams):
        raise GatewayConfigError(
            "Give one --upstream-key-env for all upstreams or one per --upstream. / --upstream-key-env 要么给一个（所有上游共用），要么每个 --upstream 各一个。"
        )
    return list(key_envs)


def parse_model_map(items: list[str]) -> dict[str, str]:
    """`--model-map a=b` (repeatable) or `--model-map FILE.toml` with a `[models]` table."""
    mapping: dict[str, str] = {}
    for item in items:
        if item.endswith(".toml") and "=" not in item:
            mapping.update(_toml_table(item, "models", str))
            continue
        student, sep, upstream = item.partition("=")
        if not sep or not student.strip() or not upstream.strip():
            raise GatewayConfigError(
                f"--model-map expects NAME=UPSTREAM_NAME or a .toml file, got {item!r}. / --model-map 的格式是 学生用的名字=上游的名字，或一个 .toml 文件。"
            )
        mapping[student.strip()] = upstream.strip()
    return mapping


def load_prices(path: str | None) -> dict[str, Price]:
    """A `[prices."model"]` table per model: `input` and `output` in USD per million tokens."""
    if not path:
        return {}
    prices = {}
    for model, entry in _toml_table(path, "prices", dict).items():
        try:
            prices[model] = Price(float(entry["input"]), float(entry["output"]))
        except (KeyError, TypeError, ValueError):
            raise GatewayConfigError(
                f"{path}: prices.{model} needs numbers `input` and `output` (USD per 1M tokens). / "
                f"{path}：prices.{model} 需要数字 input 和 output（每百万词元的美元价格）。"
            ) from None
    return prices


def _toml_table(path: str, table: str, value_type: type) -> dict:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GatewayConfigError(f"Cannot read {path}: {e} / 无法读取 {path}。") from None
    section = data.get(table)
    if not isinstance(section, dict) or not all(isinstance(v, value_type) for v in section.values()):
        raise GatewayConfigError(f"{path} needs a [{table}] table. / {path} 里需要一个 [{table}] 表。")
    return section
