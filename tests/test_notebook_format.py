"""Format rules for every course notebook (notebooks/NN_*.ipynb).

The site shows one language at a time by dropping the other language's
markdown cells, and nbval compares stored outputs; both depend on these rules:
an untagged bilingual title, then en/zh pairs of markdown cells; every code
cell executed with no error output; no keys, home paths or machine names in
sources or outputs; at least three exercise checks per notebook.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LANGS = {"en", "zh"}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KEY_LIKE = re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}")
HOME_PATH = re.compile(r"/(?:root|home)/")
_host = socket.gethostname()
# A short host name ("vm") would match inside ordinary words, so match it as a whole word.
HOSTNAME = re.compile(re.escape(_host) if len(_host) >= 6 else rf"(?<![\w.-]){re.escape(_host)}(?![\w-])", re.I)
CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


def _load(path: Path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def _tags(cell) -> list[str]:
    return list((cell.get("metadata") or {}).get("tags") or [])


def _lang(cell) -> str | None:
    langs = [t for t in _tags(cell) if t in LANGS]
    return langs[0] if len(langs) == 1 else None


def _output_texts(cell) -> list[str]:
    """Text of every output (streams, text/*, json); images are left out (base64 noise)."""
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append(out["text"] if isinstance(out["text"], str) else "".join(out["text"]))
        for mime, data in (out.get("data") or {}).items():
            if mime.startswith("image/"):
                continue
            texts.append(data if isinstance(data, str) else "".join(data) if isinstance(data, list) else str(data))
        if out.get("output_type") == "error":
            texts.append(" ".join([out.get("ename", ""), out.get("evalue", "")] + list(out.get("traceback", []))))
    return texts


def _cjk_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(bool(CJK.match(c)) for c in chars) / max(len(chars), 1)


ids = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found"


def test_numbering_is_contiguous_from_00():
    numbers = sorted({int(p.name[:2]) for p in NOTEBOOKS})
    assert numbers == list(range(len(numbers))), f"notebook numbers must run 00, 01, … without gaps: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_valid_nbformat4(path):
    nb = _load(path)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert all(c.get("id") for c in nb.cells), "every cell needs an id"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_title_cell(path):
    first = _load(path).cells[0]
    assert first.cell_type == "markdown", "the first cell must be the markdown title"
    assert not [t for t in _tags(first) if t in LANGS], "the title cell carries no language tag"
    assert first.source.lstrip().startswith("# "), "the title is a level-1 heading"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_markdown_pairs(path):
    cells = _load(path).cells
    for i, cell in enumerate(cells[1:], start=1):
        if cell.cell_type != "markdown":
            continue
        lang_tags = [t for t in _tags(cell) if t in LANGS]
        assert len(lang_tags) == 1, f"markdown cell {i} must be tagged exactly one of en/zh, has {_tags(cell)}"
        if lang_tags[0] == "en":
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            assert nxt is not None and nxt.cell_type == "markdown" and _lang(nxt) == "zh", f"en cell {i} must be followed immediately by its zh twin"
        else:
            prev = cells[i - 1]
            assert prev.cell_type == "markdown" and _lang(prev) == "en", f"zh cell {i} must follow its en twin"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_languages_match_tags(path):
    for i, cell in enumerate(_load(path).cells):
        if cell.cell_type != "markdown":
            continue
        if _lang(cell) == "zh":
            assert CJK.search(cell.source), f"zh cell {i} has no Chinese text"
        elif _lang(cell) == "en":
            share = _cjk_share(cell.source)
            assert share < 0.10, f"en cell {i} is {share:.0%} Chinese characters (only a few glossary terms allowed)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_code_cells_executed_without_errors(path):
    for i, cell in enumerate(_load(path).cells):
        if cell.cell_type != "code":
            continue
        assert cell.get("execution_count") is not None, f"code cell {i} was not executed (no execution_count)"
        kinds = [o.get("output_type") for o in cell.get("outputs", [])]
        assert "error" not in kinds, f"code cell {i} stores an error output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_secrets_paths_or_hostname(path):
    for i, cell in enumerate(_load(path).cells):
        for where, text in [("source", cell.source)] + [("output", t) for t in _output_texts(cell)]:
            assert not KEY_LIKE.search(text), f"cell {i} {where} contains a key-like sk- string"
            assert not HOME_PATH.search(text), f"cell {i} {where} contains a home-directory path"
            assert not HOSTNAME.search(text), f"cell {i} {where} contains this machine's name"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_at_least_three_known_exercises(path):
    from helpers.exercises import exercise_ids

    known = set(exercise_ids())
    prefix = path.name[:2] + "."
    found = [m for c in _load(path).cells if c.cell_type == "code" for m in CHECK_CALL.findall(c.source)]
    own = [x for x in found if x.startswith(prefix)]
    assert len(own) >= 3, f'needs at least 3 check("{prefix}…") calls, found {own}'
    unknown = sorted(set(found) - known)
    assert not unknown, f"check() ids with no registered exercise: {unknown}"
