"""ruff keeps the code clean: lint and format check over every Python file of the repository
(helpers, tests, bench, docs hooks), with the rules in pyproject.toml. `python -m ruff format .`
makes the format check pass; the failure message names the files and shows the change."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.paths import repo_root


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=repo_root(), capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean():
    p = _ruff("check", "--no-cache", ".")
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]


def test_ruff_format_is_clean():
    p = _ruff("format", "--no-cache", "--check", ".")
    assert p.returncode == 0, "run `python -m ruff format .`\n" + p.stdout[-4000:] + p.stderr[-2000:]


def test_ruff_covers_the_whole_repository():
    """No Python file is left out of the checks (only notebooks, which nbval checks, are not Python files)."""
    listed = set(_ruff("check", "--no-cache", "--show-files", ".").stdout.split())
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=repo_root(), capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: no list of the repository's files to compare with")
    root = repo_root()
    missing = [f for f in tracked if str(root / f) not in listed]
    assert not missing, f"Python files ruff does not check: {missing}"
