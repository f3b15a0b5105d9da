"""Checks for notebook 01 (key concepts: prompts, assistants, embeddings, tokens)."""

from __future__ import annotations

import math

from . import exercise, failed, passed


@exercise("01.1")
def _(answer):
    msgs = list(answer)
    if len(msgs) != 2:
        return failed(f"Expected 2 messages (developer, then user), got {len(msgs)}.", f"应该有 2 条消息（先 developer，后 user），你给了 {len(msgs)} 条。")
    roles = [m["role"] for m in msgs]
    if roles != ["developer", "user"]:
        return failed(f"The roles should be ['developer', 'user'] in this order, got {roles}.", f"角色应依次为 ['developer', 'user']，你的是 {roles}。")
    if not all(isinstance(m["content"], str) and m["content"].strip() for m in msgs):
        return failed("Every message needs non-empty text in 'content'.", "每条消息的 'content' 都要有非空文本。")
    if "french" not in msgs[0]["content"].lower() and "法语" not in msgs[0]["content"]:
        return failed("The developer message should tell the model to answer in French.", "developer 消息应要求模型用法语回答。")
    return passed(
        "Correct: instructions go in the developer message, the question in the user message.", "正确：指令放在 developer 消息里，问题放在 user 消息里。"
    )


_CASES = [([1, 0], [0, 1], 0.0), ([1, 2, 3], [2, 4, 6], 1.0), ([1, 0], [-1, 0], -1.0), ([3, 4], [4, 3], 0.96)]


@exercise("01.2")
def _(answer):
    if not callable(answer):
        return failed(
            "Give a function: answer = cosine (the function itself, without calling it).", "请给出一个函数：answer = cosine（函数本身，不要调用它）。"
        )
    for a, b, want in _CASES:
        got = float(answer(a, b))
        if not math.isclose(got, want, abs_tol=1e-6):
            return failed(
                f"cosine({a}, {b}) should be {want}, your function gives {got:.4f}. Divide the dot product by both lengths.",
                f"cosine({a}, {b}) 应为 {want}，你的函数得到 {got:.4f}。点积要除以两个向量长度的乘积。",
            )
    return passed("Correct: the dot product divided by the product of the lengths.", "正确：点积除以两个向量长度的乘积。")


@exercise("01.3")
def _(answer):
    import tiktoken

    want = len(tiktoken.get_encoding("o200k_base").encode("Hello world"))
    if isinstance(answer, int) and answer == want:
        return passed(f"Correct: {want} tokens.", f"正确：{want} 个词元。")
    return failed(
        "Not quite: count with tiktoken.get_encoding('o200k_base').encode('Hello world').",
        "还不对：用 tiktoken.get_encoding('o200k_base').encode('Hello world') 数一数。",
    )


@exercise("01.4")
def _(answer):
    if isinstance(answer, (int, float)) and 70 <= answer <= 80:
        return passed("Correct: about 75 English words (≈ 0.75 words per token).", "正确：大约 75 个英文单词（每个词元约 0.75 个单词）。")
    return failed(
        "Not quite: one token is about 0.75 English words. How many words are 100 tokens?",
        "还不对：1 个词元约等于 0.75 个英文单词，那么 100 个词元约是多少个单词？",
    )
