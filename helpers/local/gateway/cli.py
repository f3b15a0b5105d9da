"""The `serve` options of gateway mode, and the GatewayConfig they make."""
from __future__ import annotations

import argparse

from .config import (
    GatewayConfig,
    load_prices,
    pair_key_envs,
    parse_model_map,
    parse_upstream,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("gateway mode / 网关模式",
                                  "send generation to inference engines (vLLM, Ollama, llama.cpp's server, a provider)")
    g.add_argument("--upstream", action="append", default=[], metavar="URL",
                   help="an OpenAI-compatible engine, e.g. http://gpu:8000/v1 (repeatable; chat=URL or embeddings=URL for one kind only)")
    g.add_argument("--upstream-key-env", action="append", default=[], metavar="VAR",
                   help="environment variable holding the upstream's key (one for all, or one per --upstream); never the key itself")
    g.add_argument("--model-map", action="append", default=[], metavar="NAME=UPSTREAM_NAME",
                   help="model name students use = the upstream's name (repeatable), or a .toml file with a [models] table")
    g.add_argument("--upstream-concurrency", type=int, default=8, metavar="N",
                   help="requests in flight per upstream; more wait in the fair queue (default 8)")
    g.add_argument("--upstream-timeout", type=float, default=600.0, metavar="S",
                   help="seconds without a byte from an upstream before the request fails (default 600, the SDK's own timeout)")
    g.add_argument("--budget-tokens", type=int, default=None, metavar="N", help="tokens each key may use in total (insufficient_quota after)")
    g.add_argument("--budget-usd", type=float, default=None, metavar="USD", help="money each key may spend in total, priced by --prices")
    g.add_argument("--prices", default=None, metavar="FILE", help='TOML: [prices."model"] input = .., output = .. (USD per 1M tokens)')


def gateway_config(args: argparse.Namespace) -> GatewayConfig | None:
    """None without --upstream; raises GatewayConfigError for a mistake."""
    from .config import GatewayConfigError

    if not args.upstream:
        if args.model_map or args.budget_tokens is not None or args.budget_usd is not None:
            raise GatewayConfigError("--model-map and budgets need at least one --upstream. / --model-map 和预算需要至少一个 --upstream。")
        return None
    if args.budget_usd is not None and not args.prices:
        raise GatewayConfigError("--budget-usd needs --prices FILE. / --budget-usd 需要 --prices 价格文件。")
    envs = pair_key_envs(args.upstream, args.upstream_key_env)
    upstreams = [parse_upstream(url, i, env) for i, (url, env) in enumerate(zip(args.upstream, envs))]
    return GatewayConfig(upstreams, parse_model_map(args.model_map), args.budget_tokens, args.budget_usd, load_prices(args.prices),
                         max(1, args.upstream_concurrency), read_timeout=args.upstream_timeout)
