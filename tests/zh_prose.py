"""The Chinese prose of the course, line by line, and the style rules it must keep.

Used by tests/test_terminology.py (and handy from a shell while fixing hits:
``python tests/zh_prose.py`` prints every problem).

What counts as Chinese prose: every ``docs/*.md`` page that is not a
``*.en.md`` page, and every markdown cell of ``notebooks/*.ipynb`` that is
tagged ``zh`` or carries no language tag (such cells are shown on the Chinese
page too).  Fenced code blocks are skipped; inline code spans, URLs and HTML
tags are replaced by a placeholder character before a line is checked, so
``store: true`` inside backticks or a link target never counts.

The rules (each returns human-readable problems):

* no space directly beside full-width punctuation (``，。：；！？「」“”‘’（）《》、``);
  the space after a list or heading marker and the padding around a table's
  ``|`` are markup, not prose, and are allowed;
* no nested full-width parentheses, and no two glosses in a row (``）（``);
* no rejected variant of a glossary term (glossary.yml ``zh_rejected``); the
  preferred term is masked first, so a variant that is part of the preferred
  term (知识截止 in 知识截止日期) is still found only where it stands alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
GLOSSARY_YML = ROOT / "glossary.yml"

FULL_WIDTH_PUNCTUATION = "，。：；！？「」“”‘’（）《》、"
_P = re.escape(FULL_WIDTH_PUNCTUATION)
SPACE_BESIDE_PUNCTUATION = re.compile(rf"\S[ \t\u3000]+[{_P}]|[{_P}][ \t\u3000]+\S")

#: header that starts the glossary page table listing rejected variants; its
#: rows name the variants on purpose, so the variant rule skips them
REJECTED_TABLE_HEADERS = ("| 统一用词 |", "| Preferred Chinese |")

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>()（）\"'`]+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->")
# list items, quotes, headings, admonitions and content tabs: markup before the prose
_LINE_MARKUP = re.compile(r"^\s*(?:(?:[>*+-]|\d+[.)]|#{1,6}|!!!|\?\?\?\+?|===)[ \t]+)*")
_TABLE_PIPE = re.compile(r"[ \t]*\|[ \t]*")
_PLACEHOLDER = "X"


@dataclass(frozen=True)
class ProseLine:
    """One line of Chinese prose and where it comes from (for the error message)."""

    where: str
    text: str
    in_rejected_table: bool = False


def _markdown_lines(text: str, where: str) -> list[ProseLine]:
    """The prose lines of a markdown text, without fenced code blocks."""
    lines, fence, in_rejected_table = [], None, False
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        stripped = line.strip()
        if stripped.startswith(REJECTED_TABLE_HEADERS):
            in_rejected_table = True
        elif not stripped.startswith("|"):
            in_rejected_table = False
        lines.append(ProseLine(f"{where}:{number}", line, in_rejected_table))
    return lines


def doc_lines(docs: Path = DOCS) -> list[ProseLine]:
    """Prose lines of every Chinese page of the guide."""
    lines = []
    for page in sorted(docs.glob("*.md")):
        if page.name.endswith(".en.md"):
            continue
        lines += _markdown_lines(page.read_text(encoding="utf-8"), f"docs/{page.name}")
    return lines


def _is_chinese_markdown(cell: dict) -> bool:
    tags = set((cell.get("metadata") or {}).get("tags") or [])
    return cell.get("cell_type") == "markdown" and ("zh" in tags or not tags & {"zh", "en"})


def notebook_lines(notebooks: Path = NOTEBOOKS) -> list[ProseLine]:
    """Prose lines of the Chinese (and untagged) markdown cells of every notebook."""
    lines = []
    for path in sorted(notebooks.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            if _is_chinese_markdown(cell):
                source = cell["source"]
                text = "".join(source) if isinstance(source, list) else source
                lines += _markdown_lines(text, f"notebooks/{path.name} cell {index}")
    return lines


def prose_only(line: str) -> str:
    """The line with code spans, URLs and HTML replaced and markup around it removed."""
    text = _CODE_SPAN.sub(_PLACEHOLDER, line)
    text = _HTML_TAG.sub(_PLACEHOLDER, text)
    text = _URL.sub(_PLACEHOLDER, text)
    text = _LINE_MARKUP.sub("", text)
    if text.lstrip().startswith("|"):
        text = _TABLE_PIPE.sub("|", text)
    return text.strip()


def load_rejected_variants(path: Path = GLOSSARY_YML) -> dict[str, list[str]]:
    """{preferred Chinese term: [rejected variants]} from glossary.yml."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {e["zh"]: list(e["zh_rejected"]) for e in entries if e.get("zh_rejected")}


def space_problems(line: ProseLine) -> list[str]:
    text = prose_only(line.text)
    return [f"{line.where}: space beside full-width punctuation {m.group(0)!r} in: {line.text.strip()}"
            for m in SPACE_BESIDE_PUNCTUATION.finditer(text)]


def parenthesis_problems(line: ProseLine) -> list[str]:
    """Nested full-width parentheses, or two glosses in a row: 系统消息（system message）（...）."""
    text, depth, problems = prose_only(line.text), 0, []
    for char in text:
        if char == "（":
            depth += 1
            if depth == 2:
                problems.append(f"{line.where}: nested full-width parentheses in: {line.text.strip()}")
        elif char == "）":
            depth = max(0, depth - 1)
    if "）（" in text:
        problems.append(f"{line.where}: two parenthesised glosses in a row in: {line.text.strip()}")
    return problems


def variant_problems(line: ProseLine, rejected: dict[str, list[str]]) -> list[str]:
    if line.in_rejected_table:
        return []
    text, problems = prose_only(line.text), []
    for preferred, variants in rejected.items():
        masked = text.replace(preferred, "\u0000")
        for variant in variants:
            if variant in masked:
                problems.append(f"{line.where}: {variant!r} should be {preferred!r} in: {line.text.strip()}")
    return problems


def all_problems() -> list[str]:
    rejected = load_rejected_variants()
    problems = []
    for line in doc_lines() + notebook_lines():
        problems += space_problems(line) + parenthesis_problems(line) + variant_problems(line, rejected)
    return problems


if __name__ == "__main__":
    found = all_problems()
    print("\n".join(found))
    print(f"{len(found)} problems")
