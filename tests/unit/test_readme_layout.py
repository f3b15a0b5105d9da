"""README's layout table names every module and package of the offline server, so it cannot drift from the code."""

from __future__ import annotations

import fnmatch
import re

from helpers.paths import repo_root

ROOT = repo_root()


def _layout_row(path: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return next(line for line in readme.splitlines() if line.startswith(f"| `{path}` |"))


def test_every_server_module_is_in_the_layout_table():
    named = re.findall(r"`([^`]+)`", _layout_row("helpers/local/"))
    local = ROOT / "helpers" / "local"
    parts = [p.name for p in local.glob("*.py") if p.name != "__init__.py"]
    parts += [p.name + "/" for p in local.iterdir() if (p / "__init__.py").is_file()]
    missing = [part for part in parts if not any(fnmatch.fnmatch(part, name) for name in named)]
    assert not missing, f"README's layout table does not name: {missing}"


def test_every_bench_script_is_in_the_layout_table():
    row = _layout_row("bench/")
    missing = [p.name for p in (ROOT / "bench").glob("*.py") if p.name not in row]
    assert not missing, f"README's layout table does not name: {missing}"
