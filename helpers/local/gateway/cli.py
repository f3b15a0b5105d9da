"""The `serve` options of gateway mode and of budgets, and the configuration they make."""

from __future__ import annotations

import argparse
from typing import Any

from .config import (
    GatewayConfig,
    load_prices,
    pair_key_envs,
    parse_model_map,
    parse_upstream,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("gateway mode / 网关模式", "send generation to inference engines (vLLM, Ollama, llama.cpp's server, a provider)")
    g.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="URL",
        help="an OpenAI-compatible engine, e.g. http://gpu:8000/v1 (repeatable; chat=URL or embeddings=URL for one kind only)",
    )
    g.add_argument(
        "--upstream-key-env",
        action="append",
        default=[],
        metavar="VAR",
        help="environment variable holding the upstream's key (one for all, or one per --upstream); never the key itself",
    )
    g.add_argument(
        "--model-map",
        action="append",
        default=[],
        metavar="NAME=UPSTREAM_NAME",
        help="model name students use = the upstream's name (repeatable), or a .toml file with a [models] table",
    )
    g.add_argument("--upstream-concurrency", type=int, default=8, metavar="N", help="requests in flight per upstream; more wait in the fair queue (default 8)")
    g.add_argument(
        "--upstream-timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds without a byte from an upstream before the request fails (default 600, the SDK's own timeout)",
    )
    b = parser.add_argument_group("budgets / 预算", "per key, offline or as a gateway: insufficient_quota once used up")
    b.add_argument("--budget-tokens", type=int, default=None, metavar="N", help="tokens each key may use in total (insufficient_quota after)")
    b.add_argument("--budget-usd", type=float, default=None, metavar="USD", help="money each key may spend in total, priced by --prices")
    b.add_argument("--prices", default=None, metavar="FILE", help='TOML: [prices."model"] input = .., output = .. (USD per 1M tokens)')


def gateway_config(args: argparse.Namespace) -> GatewayConfig | None:
    """None without --upstream; raises GatewayConfigError for a mistake."""
    from .config import GatewayConfigError

    if not args.upstream:
        if args.model_map:
            raise GatewayConfigError("--model-map needs at least one --upstream. / --model-map 需要至少一个 --upstream。")
        return None
    envs = pair_key_envs(args.upstream, args.upstream_key_env)
    upstreams = [parse_upstream(url, i, env) for i, (url, env) in enumerate(zip(args.upstream, envs))]
    return GatewayConfig(upstreams, parse_model_map(args.model_map), max(1, args.upstream_concurrency), read_timeout=args.upstream_timeout)


def budget_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ServerConfig fields of the budget options (offline or gateway); raises GatewayConfigError for a mistake."""
    from .config import GatewayConfigError

    for name, value in (("--budget-tokens", args.budget_tokens), ("--budget-usd", args.budget_usd)):
        if value is not None and value <= 0:
            raise GatewayConfigError(f"{name} must be above 0. / {name} 必须大于 0。")
    if args.budget_usd is not None and not args.prices:
        raise GatewayConfigError("--budget-usd needs --prices FILE. / --budget-usd 需要 --prices 价格文件。")
    return {"budget_tokens": args.budget_tokens, "budget_usd": args.budget_usd, "prices": load_prices(args.prices)}
