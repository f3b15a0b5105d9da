"""Checks for notebook 03 (tokens: tiktoken, encodings, counting chat requests, context, cost)."""

from __future__ import annotations

import math
import re

from . import exercise, failed, passed
from .judge import answer_text, ask, judged
from .shapes import need_text, shaped

# 03.3 counts the tokens of this request for gpt-4o-mini (the notebook shows the same list).
EXERCISE_MESSAGES = [
    {"role": "developer", "content": "You are a helpful assistant."},
    {"role": "user", "content": "How many tokens is this request?"},
]


def cookbook_count(messages, encoding_name: str = "o200k_base") -> int:
    """The OpenAI cookbook's estimate: 3 tokens per message, +1 per name, +3 to prime the reply."""
    import tiktoken

    enc = tiktoken.get_encoding(encoding_name)
    n = 0
    for m in messages:
        n += 3
        for key, value in m.items():
            n += len(enc.encode(value))
            if key == "name":
                n += 1
    return n + 3


@exercise("03.1")
def _(answer):
    import tiktoken

    want = len(tiktoken.get_encoding("o200k_base").encode(" tokenization"))
    if answer == want:
        return passed(f"Correct: {want} tokens, ' token' + 'ization'.", f"正确：{want} 个词元，' token' + 'ization'。")
    return failed(
        "Not quite: count the tokens of ' tokenization' (with its leading space) with tiktoken.",
        "还不对：用 tiktoken 数一数 ' tokenization'（注意开头的空格）的词元数。",
    )


@exercise("03.2")
def _(answer):
    if isinstance(answer, str) and answer.strip() == "o200k_base":
        return passed("Correct: the GPT-4o family uses o200k_base.", "正确：GPT-4o 家族使用 o200k_base。")
    if isinstance(answer, str) and answer.strip() == "cl100k_base":
        return failed(
            "cl100k_base is the encoding of gpt-4 and gpt-3.5-turbo. Ask tiktoken.encoding_for_model('gpt-4o-mini').",
            "cl100k_base 是 gpt-4 和 gpt-3.5-turbo 的编码。请用 tiktoken.encoding_for_model('gpt-4o-mini') 查一查。",
        )
    return failed(
        "Not quite: give the encoding's name as a string; tiktoken.encoding_for_model('gpt-4o-mini').name tells you.",
        "还不对：请用字符串写出编码名；tiktoken.encoding_for_model('gpt-4o-mini').name 会告诉你。",
    )


@exercise("03.3")
def _(answer):
    want = cookbook_count(EXERCISE_MESSAGES)
    if answer == want:
        return passed(f"Correct: {want} tokens by the cookbook formula.", f"正确：按 cookbook 公式共 {want} 个词元。")
    bare = sum(len(__import__("tiktoken").get_encoding("o200k_base").encode(v)) for m in EXERCISE_MESSAGES for v in m.values())
    if answer == bare:
        return failed(
            "You counted only the text. Add 3 tokens per message and 3 for the reply.", "你只数了文本。每条消息还要加 3 个词元，最后再为回复加 3 个。"
        )
    return failed(
        "Not quite: use num_tokens_from_messages(exercise_messages) from the notebook (o200k_base).",
        "还不对：用笔记本里的 num_tokens_from_messages(exercise_messages)（o200k_base）来数。",
    )


@exercise("03.4")
def _(answer):
    if answer == 8192 - 7900:
        return passed("Correct: 292 tokens; prompt + output must fit in the context window.", "正确：292 个词元；提示词和输出合计不能超过上下文窗口。")
    if answer == 8192:
        return failed("The prompt uses part of the window too. Subtract it.", "提示词也占用上下文窗口，要减去它。")
    return failed("Not quite: context window − prompt tokens = the most the output can use.", "还不对：上下文窗口 − 提示词的词元数 = 输出最多能用的词元数。")


@exercise("03.5")
def _(answer):
    want = 2000 * 500 / 1e6 * 0.15 + 2000 * 100 / 1e6 * 0.60  # 0.27
    if isinstance(answer, (int, float)) and math.isclose(answer, want, abs_tol=0.005):
        return passed(f"Correct: about ${want:.2f} at these example prices.", f"正确：按这些示例价格约 {want:.2f} 美元。")
    return failed(
        "Not quite: (input tokens ÷ 1,000,000) × input price + (output tokens ÷ 1,000,000) × output price, for all 2,000 requests.",
        "还不对：（输入词元数 ÷ 1,000,000）× 输入单价 +（输出词元数 ÷ 1,000,000）× 输出单价，要算全部 2,000 个请求。",
    )


# 03.6: the learner's developer message, this fixed question; the answer must be short by instruction alone.
SHORT_QUESTION = "Explain what a token is in a language model."
SHORT_LIMIT = 30  # completion tokens; the question alone gets about 100 offline


@exercise("03.6")
@judged
@shaped
def _(answer):
    """Prompt-and-judge: a developer message that keeps the answer under SHORT_LIMIT output tokens
    without max_tokens (which would cut it off mid-sentence: finish_reason 'length')."""
    instruction = need_text(answer, "your developer message", "你的开发者消息")
    completion = ask([{"role": "developer", "content": instruction}, {"role": "user", "content": SHORT_QUESTION}])
    reply, used = answer_text(completion), completion.usage.completion_tokens
    if completion.choices[0].finish_reason != "stop" or used > SHORT_LIMIT:
        return failed(
            f"The answer used {used} output tokens (limit {SHORT_LIMIT}): {reply[:80]!r}… Ask for one short sentence with a word limit.",
            f"回答用了 {used} 个输出词元（上限 {SHORT_LIMIT}）：{reply[:80]!r}…请要求只用一句短话，并给出字数上限。",
        )
    if len(reply.split()) < 3 or not re.search(r"token|词元", reply, re.I):
        return failed(
            f"Short, but it does not answer the question: {reply!r}. The answer must still explain what a token is.",
            f"够短，但没有回答问题：{reply!r}。回答仍然要解释什么是词元（token）。",
        )
    return passed(
        f"Correct: {used} output tokens, a whole sentence (finish_reason 'stop'), and fewer tokens cost less: {reply!r}",
        f"正确：{used} 个输出词元，句子完整（finish_reason 为 'stop'），词元越少费用越低：{reply!r}",
    )
