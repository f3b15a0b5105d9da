"""Checks for notebook 01 (key concepts: prompts, assistants, embeddings, tokens)."""

from __future__ import annotations

import math
import re

from . import exercise, failed, passed
from .judge import answer_text, ask, judged
from .shapes import call, need_function, need_messages, shaped

# Frequent short words: a reply with more of the French ones than of the English ones is in French.
FRENCH_WORDS = frozenset(
    "le la les un une des est et en du de pour dans qui que vous sont avec ce cette sur pas par au aux "
    "peut nous il elle ou mais comme plus ces être été très".split()
)
ENGLISH_WORDS = frozenset("the is and a of to in it you are that with for this can be an on by or as which from not".split())


def looks_french(text: str) -> bool:
    words = re.findall(r"[a-zà-ÿœ]+", text.lower())
    french = sum(w in FRENCH_WORDS for w in words)
    return french >= 3 and french > sum(w in ENGLISH_WORDS for w in words)


@exercise("01.1")
@judged
@shaped
def _(answer):
    """Prompt-and-judge: the learner's messages run on the model; the answer must come back in French."""
    messages = need_messages(answer)
    if len(messages) < 2 or messages[0]["role"] not in ("developer", "system") or messages[-1]["role"] != "user":
        roles = [m["role"] for m in messages]
        return failed(
            f"Start with a developer (or system) message with the instruction and end with the user's question; your roles are {roles}.",
            f"请先写一条 developer（或 system）消息放指令，最后一条是用户的问题；你的角色依次是 {roles}。",
        )
    reply = answer_text(ask(messages))
    if looks_french(reply):
        return passed(
            f"Correct: the model followed your developer message and answered in French: {reply[:80]!r}…",
            f"正确：模型遵循了你的开发者消息，用法语回答：{reply[:80]!r}…",
        )
    return failed(
        f"The model answered {reply[:80]!r}…, which is not French. Make the instruction plainer, e.g. 'Always answer in French.'",
        f"模型的回答 {reply[:80]!r}… 不是法语。请把指令写得更直白，例如 'Always answer in French.'",
    )


# 01.2: words per token, measured with o200k_base (the rule of thumb says about 0.75 for English).
WORD_CASES = ("Hello world", "Tokenization is fun!", "The quick brown fox jumps over the lazy dog.", "antidisestablishmentarianism")


def words_per_token(text: str) -> float:
    import tiktoken

    return len(text.split()) / len(tiktoken.get_encoding("o200k_base").encode(text))


@exercise("01.2")
@shaped
def _(answer):
    need_function(answer, "words_per_token")
    for text in WORD_CASES:
        got, want = call(answer, text), words_per_token(text)
        if not isinstance(got, (int, float)) or not math.isclose(float(got), want, abs_tol=1e-6):
            return failed(
                f"words_per_token({text!r}) should be {want:.3f}, yours gives {got!r}. Divide len(text.split()) by the number of o200k_base tokens.",
                f"words_per_token({text!r}) 应为 {want:.3f}，你的函数得到 {got!r}。请用 len(text.split()) 除以 o200k_base 的词元数。",
            )
    return passed(
        "Correct. Everyday English gives about 0.75 words per token; a rare long word is one word but several tokens.",
        "正确。日常英文大约每个词元 0.75 个单词；一个罕见的长单词虽然只是一个词，却要好几个词元。",
    )


@exercise("01.3")
def _(answer):
    import tiktoken

    want = len(tiktoken.get_encoding("o200k_base").encode("Hello world"))
    if isinstance(answer, int) and answer == want:
        return passed(f"Correct: {want} tokens.", f"正确：{want} 个词元。")
    if isinstance(answer, str):
        return failed("Give the number itself, without quotes.", "请直接写数字，不要加引号。")
    return failed(
        "Not quite: count with tiktoken.get_encoding('o200k_base').encode('Hello world').",
        "还不对：用 tiktoken.get_encoding('o200k_base').encode('Hello world') 数一数。",
    )
