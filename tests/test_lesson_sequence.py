"""Every lesson ends by pointing to the following one, in both languages.

The last English markdown cell of notebook NN says "Next: notebook MM" and the
last Chinese one "下一课：笔记本 MM", where MM is the number of the next notebook
in notebooks/. The last notebook needs no "Next". (Plain text, no link: the
site renders notebooks without rewriting .ipynb links, so a link would break.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NEXT_PATTERNS = {"en": r"^Next: notebook {nn}\b", "zh": r"^下一课：笔记本 {nn}(?!\d)"}


def _last_markdown(path: Path, lang: str) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]) for c in cells
             if c["cell_type"] == "markdown" and lang in ((c.get("metadata") or {}).get("tags") or [])]
    return texts[-1] if texts else ""


def _closing_line_names(text: str, lang: str, number: str) -> bool:
    return re.search(NEXT_PATTERNS[lang].format(nn=number), text, re.MULTILINE) is not None


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("index", range(len(NOTEBOOKS) - 1), ids=lambda i: NOTEBOOKS[i].name)
def test_lesson_points_to_the_next(index, lang):
    current, following = NOTEBOOKS[index], NOTEBOOKS[index + 1]
    text = _last_markdown(current, lang)
    assert _closing_line_names(text, lang, following.name[:2]), (
        f"{current.name}: the last {lang} markdown cell does not point to notebook {following.name[:2]}"
    )


def test_rule_rejects_a_missing_or_wrong_next():
    assert _closing_line_names("## Summary\n\nNext: notebook 05, messages and roles.", "en", "05")
    assert not _closing_line_names("## Summary\n\n- a point.", "en", "05")
    assert not _closing_line_names("下一课：笔记本 051，别的。", "zh", "05")
    assert not _closing_line_names("下一课：笔记本 06，文本生成。", "zh", "05")
