"""ruff keeps the code clean: lint everywhere (rules in pyproject.toml), format where the code is already formatted."""

from __future__ import annotations

import subprocess
import sys

from helpers.paths import repo_root

# The files already in ruff's format. The rest of the repository follows when no branch is
# open on it (a whole-repository reformat would conflict with every open change).
FORMATTED = [
    "helpers/redact.py",
    "tests/contract.py",
    "tests/test_lint.py",
    *(
        f"helpers/local/{m}.py"
        for m in (
            "config",
            "middleware",
            "streaming",
            "runner",
            "housekeeping",
            "process",
            "response_store",
            "conversation_store",
            "schema",
            "pipeline",
            "engines/encoder",
            "profile",
        )
    ),
]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=repo_root(), capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean():
    p = _ruff("check", "--no-cache", ".")
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]


def test_ruff_format_is_clean():
    p = _ruff("format", "--no-cache", "--check", *FORMATTED)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
