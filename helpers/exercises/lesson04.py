"""Checks for notebook 04 (embeddings: similarity, search, outliers)."""

from __future__ import annotations

import math

import numpy as np

from . import exercise, failed, passed


@exercise("04.1")
def _(answer):
    want = 8 / 9
    if isinstance(answer, (int, float, np.floating)) and math.isclose(float(answer), want, abs_tol=1e-3):
        return passed(f"Correct: 8 / 9 ≈ {want:.4f}.", f"正确：8 / 9 ≈ {want:.4f}。")
    return failed("Not quite: a·b = 8 and both lengths are 3. Compute a·b / (|a| |b|).", "还不对：a·b = 8，两个向量的长度都是 3。计算 a·b / (|a| |b|)。")


def _ref_top_k(query, docs, k):
    q = np.asarray(query, float)
    d = np.asarray(docs, float)
    sims = d @ q / (np.linalg.norm(d, axis=1) * np.linalg.norm(q))
    return [int(i) for i in np.argsort(-sims)[:k]]


@exercise("04.2")
def _(answer):
    if not callable(answer):
        return failed("Give the function itself: answer = top_k.", "请给出函数本身：answer = top_k。")
    rng = np.random.default_rng(4)
    docs = rng.normal(size=(8, 6))
    query = docs[5] * 3 + rng.normal(scale=0.1, size=6)  # long vector: only cosine, not dot product, ranks fairly
    docs[2] *= 10
    for k in (1, 3):
        got = [int(i) for i in answer(query, docs, k)]
        want = _ref_top_k(query, docs, k)
        if got != want:
            return failed(
                f"top_k(query, docs, {k}) should be {want}, yours gives {got}. Rank by cosine similarity, best first.",
                f"top_k(query, docs, {k}) 应为 {want}，你的结果是 {got}。请按余弦相似度从高到低排序。",
            )
    return passed("Correct: semantic search is 'rank by cosine similarity'.", "正确：语义搜索就是“按余弦相似度排序”。")


@exercise("04.3")
def _(answer):
    if not callable(answer):
        return failed("Give the function itself: answer = find_outlier.", "请给出函数本身：answer = find_outlier。")
    rng = np.random.default_rng(7)
    base = rng.normal(size=10)
    vecs = base + rng.normal(scale=0.3, size=(6, 10))
    vecs[4] = -base + rng.normal(scale=0.3, size=10)
    got = int(answer(vecs))
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
