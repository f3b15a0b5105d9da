"""Checks for notebook 08 (project: question answering over the guide with embeddings)."""

from __future__ import annotations

import math
import re

from . import exercise, failed, passed

SAMPLE_TEXT = (
    "# Tokens\n\nModels read text as tokens. One token is about four English characters.\n\n"
    "## Counting\n\nUse tiktoken to count tokens before you send a request. "
    "Long prompts cost more and may not fit in the context window.\n\n"
    "## 中文\n\n中文文本通常每个汉字需要一个或多个词元。" + " Extra sentence to make this paragraph long." * 12
)


@exercise("08.1")
def _(answer):
    if not callable(answer):
        return failed("Give a function cosine(a, b) that returns a number.", "请给出一个返回数字的函数 cosine(a, b)。")
    cases = [([1, 0], [0, 1], 0.0), ([1, 2], [2, 4], 1.0), ([1, 0], [-3, 0], -1.0), ([3, 4], [4, 3], 24 / 25)]
    for a, b, want in cases:
        got = float(answer(a, b))
        if not math.isclose(got, want, abs_tol=1e-6):
            return failed(
                f"cosine({a}, {b}) should be {want:.3f}, got {got:.3f}: divide the dot product by both lengths.",
                f"cosine({a}, {b}) 应为 {want:.3f}，你的是 {got:.3f}：点积要除以两个向量长度的乘积。",
            )
    return passed("Correct: dot product divided by the product of the lengths.", "正确：点积除以两个向量长度的乘积。")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@exercise("08.2")
def _(answer):
    if not callable(answer):
        return failed("Give a function chunk(text, max_chars) that returns a list of strings.", "请给出一个返回字符串列表的函数 chunk(text, max_chars)。")
    for max_chars in (120, 300):
        chunks = answer(SAMPLE_TEXT, max_chars)
        if not isinstance(chunks, list) or not chunks or not all(isinstance(c, str) for c in chunks):
            return failed("chunk() should return a non-empty list of strings.", "chunk() 应当返回非空的字符串列表。")
        if any(not c.strip() for c in chunks):
            return failed("Drop empty chunks.", "请去掉空的文本块。")
        too_long = [len(c) for c in chunks if len(c) > max_chars]
        if too_long:
            return failed(
                f"With max_chars={max_chars} a chunk has {too_long[0]} characters: split long paragraphs too.",
                f"max_chars={max_chars} 时有一个文本块长 {too_long[0]} 个字符：过长的段落也要切开。",
            )
        if _squash("".join(chunks)) != _squash(SAMPLE_TEXT):
            return failed(
                "Joined together, the chunks should give back all the text in order (spaces aside).", "把文本块按顺序拼起来，应当得到全部原文（空白除外）。"
            )
    return passed("Correct: short chunks that together keep all the text.", "正确：文本块都不超长，合起来保留了全部文本。")


@exercise("08.3")
def _(answer):
    if not callable(answer):
        return failed("Give a function top_k(scores, k) that returns a list of indices.", "请给出一个返回下标列表的函数 top_k(scores, k)。")
    scores = [0.12, 0.87, 0.45, 0.91, 0.05, 0.66]
    got = [int(i) for i in answer(scores, 3)]
    if got == [3, 1, 5]:
        return passed("Correct: the indices of the 3 highest scores, best first.", "正确：分数最高的 3 个下标，从高到低。")
    if got == [1, 3, 5] or sorted(got) == [1, 3, 5]:
        return failed(
            "The right indices, but put the best one first (sort by score, highest first).", "下标选对了，但要把最好的放在最前面（按分数从高到低排序）。"
        )
    return failed(
        f"For scores {scores} and k=3 the answer should start with index 3 (score 0.91); you gave {got}.",
        f"对于分数 {scores} 和 k=3，答案应当以下标 3（0.91 分）开头；你的是 {got}。",
    )


@exercise("08.4")
def _(answer):
    if not callable(answer):
        return failed("Give a function build_context(chunks) that returns one string.", "请给出一个返回字符串的函数 build_context(chunks)。")
    chunks = ["Tokens are chunks of text.", "Embeddings are vectors.", "温度控制随机性。"]
    text = answer(chunks)
    if not isinstance(text, str):
        return failed("build_context should return a string.", "build_context 应当返回字符串。")
    pos = -1
    for i, c in enumerate(chunks, start=1):
        tag = text.find(f"[{i}]", pos + 1)
        where = text.find(c, pos + 1)
        if tag < 0 or where < 0 or not tag < where:
            return failed(
                f"Put [{i}] before the {i}. chunk, in order: [1] first chunk, [2] second chunk, …",
                f"请按顺序在第 {i} 个文本块前写上 [{i}]：[1] 第一个文本块、[2] 第二个文本块……",
            )
        pos = where
    return passed("Correct: numbered sources the model can cite as [1], [2], …", "正确：编了号的来源，模型可以用 [1]、[2]…… 引用。")
