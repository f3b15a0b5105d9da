"""Clean Chinese, kept clean: the style rules of tests/zh_prose.py hold everywhere.

Checked text: the Chinese pages of the guide (docs/*.md, not *.en.md) and the
Chinese or untagged markdown cells of every notebook.  Each rule also has a
test on a small sample, so a rule that silently stopped matching would fail.
"""

from __future__ import annotations

import json

import pytest
import zh_prose
from zh_prose import ProseLine

REJECTED = zh_prose.load_rejected_variants()


@pytest.fixture(scope="module")
def prose():
    lines = zh_prose.doc_lines() + zh_prose.notebook_lines()
    assert len(lines) > 1000, "found too little Chinese prose: is the reader broken?"
    return lines


def test_glossary_names_rejected_variants():
    assert REJECTED.get("核心概念") == ["关键概念"]
    assert all(variants for variants in REJECTED.values())


def test_no_space_beside_full_width_punctuation(prose):
    problems = [p for line in prose for p in zh_prose.space_problems(line)]
    assert not problems, "\n".join(problems)


def test_no_nested_or_doubled_glosses(prose):
    problems = [p for line in prose for p in zh_prose.parenthesis_problems(line)]
    assert not problems, "\n".join(problems)


def test_no_rejected_variant(prose):
    problems = [p for line in prose for p in zh_prose.variant_problems(line, REJECTED)]
    assert not problems, "\n".join(problems)


# --- the rules themselves, on samples ----------------------------------------

def _line(text: str, rejected_table: bool = False) -> ProseLine:
    return ProseLine("sample:1", text, rejected_table)


@pytest.mark.parametrize("text", [
    "token 一律译作 “词元”。",
    "“不用于训练” 不等于“完全不保存”。",
    "出现 JSON 这个词 ，否则报错。",
    "**第二列全是 “否”**：不论哪个端点",
    "见《模型》 页面。",
])
def test_space_rule_catches(text):
    assert zh_prose.space_problems(_line(text))


@pytest.mark.parametrize("text", [
    "- “推理模型”与“模型推理”是两回事；",               # list marker
    "| API | 应用程序编程接口 | 一种约定方式。 |",            # table pipes
    "在请求里加上 `store: true`，就会保存。",               # code span
    "`x = \"a ，b\"` 里的空格属于代码。",                   # full-width inside code
    "打开 https://example.com/a b，再看。",                 # URL
    "有四个概念：**嵌入（embedding）** 和 **词元（token）**。",  # emphasis marker between
    "用 OpenAI API 和 Python 写程序。",                     # English words in Chinese prose
    "### 评测（Evaluations）",                              # heading marker
])
def test_space_rule_allows(text):
    assert not zh_prose.space_problems(_line(text))


def test_fenced_code_is_not_prose():
    text = "说明：\n```python\nprint('a ，b')\n```\n结束。"
    lines = zh_prose._markdown_lines(text, "sample")
    assert [line.text for line in lines] == ["说明：", "结束。"]


@pytest.mark.parametrize("text, caught", [
    ("检索文本块（余弦相似度（cosine similarity））。", True),
    ("用系统消息（system message）（`\"role\": \"system\"`）承担。", True),
    ("用系统消息（system message，即 `role` 为 `system`）承担。", False),
    ("（见笔记本 04）和（见笔记本 05）", False),
])
def test_parenthesis_rule(text, caught):
    assert bool(zh_prose.parenthesis_problems(_line(text))) is caught


@pytest.mark.parametrize("text, caught", [
    ("先读关键概念。", True),
    ("最新版本的知识截止为 2023 年 12 月。", True),
    ("最新版本的知识截止日期为 2023 年 12 月。", False),
    ("发给对话模型的图像输入。", True),
    ("核心概念一节。", False),
])
def test_variant_rule(text, caught):
    assert bool(zh_prose.variant_problems(_line(text), REJECTED)) is caught


def test_variant_rule_skips_the_glossary_table_of_variants():
    assert not zh_prose.variant_problems(_line("| 核心概念 | 关键概念 | key concepts |", True), REJECTED)
    text = "| 统一用词 | 不用的写法 | English term |\n| --- | --- | --- |\n| 核心概念 | 关键概念 | key concepts |\n\n关键概念"
    flagged = [line.text for line in zh_prose._markdown_lines(text, "g") if zh_prose.variant_problems(line, REJECTED)]
    assert flagged == ["关键概念"]


def test_notebook_reader_takes_zh_and_untagged_markdown_only(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 标题 ，"]},
        {"cell_type": "markdown", "metadata": {"tags": ["en"]}, "source": ["English ，"]},
        {"cell_type": "markdown", "metadata": {"tags": ["zh"]}, "source": ["中文\n", "第二行"]},
        {"cell_type": "code", "metadata": {}, "source": ["x = '，'"], "outputs": []},
    ]
    (tmp_path / "01_x.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    lines = zh_prose.notebook_lines(tmp_path)
    assert [(line.where, line.text) for line in lines] == [
        ("notebooks/01_x.ipynb cell 0:1", "# 标题 ，"),
        ("notebooks/01_x.ipynb cell 2:1", "中文"),
        ("notebooks/01_x.ipynb cell 2:2", "第二行"),
    ]
