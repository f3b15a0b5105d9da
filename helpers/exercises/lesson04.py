"""Checks for notebook 04 (embeddings: similarity, search, outliers)."""

from __future__ import annotations

import math
import re

import numpy as np

from . import exercise, failed, passed
from .judge import answer_text, ask, judged
from .shapes import call, need_function, need_text, shaped


@exercise("04.1")
def _(answer):
    want = 8 / 9
    if isinstance(answer, (int, float, np.floating)) and math.isclose(float(answer), want, abs_tol=1e-3):
        return passed(f"Correct: 8 / 9 ≈ {want:.4f}.", f"正确：8 / 9 ≈ {want:.4f}。")
    return failed("Not quite: a·b = 8 and both lengths are 3. Compute a·b / (|a| |b|).", "还不对：a·b = 8，两个向量的长度都是 3。计算 a·b / (|a| |b|)。")


def _ref_classify(vector, centroids, names):
    v = np.asarray(vector, float)
    c = np.asarray(centroids, float)
    sims = c @ v / (np.linalg.norm(c, axis=1) * np.linalg.norm(v))
    return names[int(np.argmax(sims))]


@exercise("04.2")
@shaped
def _(answer):
    """Nearest-centroid classification with centroids that are not normalised: only cosine, not the dot product, is fair."""
    need_function(answer, "classify")
    rng = np.random.default_rng(4)
    names = ["pets", "food", "weather", "code"]
    centroids = rng.normal(size=(4, 6))
    centroids[2] *= 10  # a long centroid wins every dot product, but not the cosine
    for target in (0, 1, 3):
        vector = centroids[target] / np.linalg.norm(centroids[target]) + rng.normal(scale=0.05, size=6)
        got, want = call(answer, vector, centroids, names), _ref_classify(vector, centroids, names)
        if got != want:
            return failed(
                f"A vector close to the {want!r} centroid got {got!r}. Compare by cosine similarity (the centroids are not normalised) and return the name.",
                f"一个靠近 {want!r} 质心的向量被分到了 {got!r}。请用余弦相似度比较（质心没有归一化），并返回名字。",
            )
    return passed("Correct: the label of the most similar centroid, by cosine similarity.", "正确：按余弦相似度，取最相似的质心的标签。")


@exercise("04.3")
@shaped
def _(answer):
    need_function(answer, "find_outlier")
    rng = np.random.default_rng(7)
    base = rng.normal(size=10)
    vecs = base + rng.normal(scale=0.3, size=(6, 10))
    vecs[4] = -base + rng.normal(scale=0.3, size=10)
    got = call(answer, vecs)
    if got == 4:
        return passed("Correct: the vector with the lowest mean similarity to the others.", "正确：与其他向量平均相似度最低的那个。")
    return failed(
        f"Your function picked {got}. Use the mean cosine similarity to the *other* vectors and take the lowest.",
        f"你的函数选了 {got}。请计算每个向量与*其他*向量的平均余弦相似度，取最低的那个。",
    )


@exercise("04.4")
def _(answer):
    if answer == 1536:
        return passed("Correct: 1536 on the real API (the offline server gives 512).", "正确：真实 API 上是 1536（离线服务器是 512）。")
    if answer == 512:
        return failed(
            "512 is the offline server's model. What does text-embedding-3-small return on the real API?",
            "512 是离线服务器模型的维度。真实 API 上 text-embedding-3-small 返回多少维？",
        )
    return failed(
        "Not quite: the length of one text-embedding-3-small vector on the real OpenAI API.",
        "还不对：真实 OpenAI API 上，text-embedding-3-small 一个向量的长度是多少？",
    )


# 04.5: the learner's developer message turns a Chinese question into a short English search query.
QUERIES = (("今天天气怎么样？", ("weather",)), ("我的宠物喜欢睡觉", ("pet", "cat", "dog", "sleep")))
MAX_QUERY_WORDS = 8


@exercise("04.5")
@judged
@shaped
def _(answer):
    """Prompt-and-judge: query rewriting, for an index or an embedding model that only knows English."""
    instruction = need_text(answer, "your developer message", "你的开发者消息")
    for question, keywords in QUERIES:
        query = answer_text(ask([{"role": "developer", "content": instruction}, {"role": "user", "content": question}])).strip()
        words = query.split()
        if re.search(r"[\u4e00-\u9fff]", query) or not any(k in query.lower() for k in keywords):
            return failed(
                f"For {question!r} the model wrote {query[:80]!r}: that is not an English query about it. Ask for English, and for the query only.",
                f"对于 {question!r}，模型写的是 {query[:80]!r}：这不是关于它的英文查询。请要求用英文，并且只输出查询本身。",
            )
        if not 1 <= len(words) <= MAX_QUERY_WORDS:
            return failed(
                f"For {question!r} the model wrote {len(words)} words: {query[:80]!r}. A search query should have at most "
                f"{MAX_QUERY_WORDS}; ask for a short query and nothing else.",
                f"对于 {question!r}，模型写了 {len(words)} 个词：{query[:80]!r}。搜索查询最多 {MAX_QUERY_WORDS} 个词；请要求只输出一个简短的查询。",
            )
    return passed(
        "Correct: both questions became short English queries, ready for an English-only index or embedding model.",
        "正确：两个问题都变成了简短的英文查询，可以交给只懂英文的索引或嵌入模型。",
    )
