"""Check 11.5 (lesson 11, errors, rate limits and cost): a prompt-and-judge exercise.

Why a prompt here: `max_completion_tokens` caps what one answer can cost, but an
answer cut at the cap (finish_reason "length") is paid for and still unusable.
The learner writes the system message that makes the model answer completely
within the cap; the check asks the configured model at temperature 0, in both
languages, and judges the finish reason and the fact the answer must carry.
"""

from __future__ import annotations

from . import exercise, passed
from .judge import answer_text, ask
from .learner import Wrong, friendly

CAP = 40  # max_completion_tokens of the check: without a good instruction the model runs past it
FACT = "429"  # the status code a rate-limited request gets back
QUESTIONS = (
    "When my app hits the OpenAI API's rate limit, which HTTP status code comes back, and what should the app do?",
    "我的程序触发了 OpenAI API 的速率限制，会收到哪个 HTTP 状态码？程序应该怎么做？",
)


@exercise("11.5")
@friendly
def _(answer):
    if not isinstance(answer, str) or not answer.strip():
        raise Wrong(
            "Give your system message as a non-empty string in quotes.",
            "请把你的系统消息写成一个非空的、带引号的字符串。",
        )
    for question in QUESTIONS:
        messages = [{"role": "system", "content": answer}, {"role": "user", "content": question}]
        completion = ask(messages, max_completion_tokens=CAP)
        reply, finish = answer_text(completion), completion.choices[0].finish_reason
        if finish == "length":
            raise Wrong(
                f"Asked {question!r}, the answer was cut off at {CAP} tokens (finish_reason 'length'): {reply!r}. "
                "Those tokens are billed all the same. Ask for a shorter form: one sentence, a word limit, or a fixed pattern.",
                f"问 {question!r} 时，回答在 {CAP} 个词元处被截断（finish_reason 为 'length'）：{reply!r}。"
                "这些词元照样计费。请要求更短的形式：一句话、字数上限，或者固定的格式。",
            )
        if FACT not in reply:
            raise Wrong(
                f"Asked {question!r}, the model finished in time but did not name the status code {FACT}: {reply!r}. "
                "Short is not enough: the answer must still carry the fact.",
                f"问 {question!r} 时，模型按时答完了，但没有说出状态码 {FACT}：{reply!r}。只是短还不够：回答里必须有这个事实。",
            )
    return passed(
        f"Correct: with your system message both answers finish within {CAP} tokens (finish_reason 'stop') and name {FACT}.",
        f"正确：有了你的系统消息，两个回答都在 {CAP} 个词元内答完（finish_reason 为 'stop'），并且说出了 {FACT}。",
    )
