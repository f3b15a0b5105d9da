"""Checks for notebook 08 (data policies: training, retention, stored completions, key safety).

08.5 is prompt-and-judge: the learner's developer message must keep the model to
the dated policy text, so that it says NOT IN POLICY rather than invent a rule.
"""

from __future__ import annotations

import datetime as dt

from . import exercise, passed
from .judge import answer_text, ask
from .learner import Wrong, call, friendly, need_callable, need_text

# Endpoints whose default was zero data retention in the late-2023 table (docs/data-usage.md).
ZERO_RETENTION_BY_DEFAULT = {"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations"}
# Sample keys for 08.4: obviously fake, never real-looking.
SAMPLE_KEYS = ("sk-fake-demo-9f3a", "sk-EXAMPLE-ONLY-wxyz", "sk-course-demo-0000")
# 08.5: the policy text the model must answer from (the notebook shows the same text).
POLICY = (
    "Stored completions (as of 2025-02-28): a chat completion requested with store=True is kept for 30 days. "
    "Completions are stored unfiltered, so do not store completions that contain sensitive data."
)
NOT_IN_POLICY = "NOT IN POLICY"
IN_POLICY_QUESTION = "How many days is a stored completion kept?"
OFF_POLICY_QUESTION = "Can I get a refund for unused API credits?"


def policy_messages(developer_message: str, question: str) -> list[dict]:
    """How 08.5 is asked: the learner's rules, then the policy text and a question in the user turn."""
    return [{"role": "developer", "content": developer_message}, {"role": "user", "content": f"<policy>\n{POLICY}\n</policy>\n\nQuestion: {question}"}]


@exercise("08.1")
@friendly
def _(answer):
    if isinstance(answer, dt.datetime):
        answer = answer.date()
    if isinstance(answer, dt.date):
        answer = answer.isoformat()
    if isinstance(answer, str) and answer.strip() == "2023-03-01":
        return passed("Correct: since 2023-03-01 API data is not used for training by default.", "正确：自 2023-03-01 起，API 数据默认不用于训练。")
    if not isinstance(answer, str):
        raise Wrong("Give the date as a string in quotes: 'YYYY-MM-DD'.", "请用带引号的字符串写出日期：'YYYY-MM-DD'。")
    raise Wrong(
        "Not quite: find the date in \"Your data is your data\" and write it as 'YYYY-MM-DD'.", "还不对：在“你的数据属于你”一节里找到日期，写成 'YYYY-MM-DD'。"
    )


@exercise("08.2")
@friendly
def _(answer):
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Wrong("Give a set of endpoint paths in braces, such as {'/v1/...', '/v1/...'}.", "请用花括号给出端点路径的集合，例如 {'/v1/...', '/v1/...'}。")
    got = {str(x).strip().rstrip("/") for x in answer}
    if got == ZERO_RETENTION_BY_DEFAULT:
        return passed(
            "Correct: speech to text (transcriptions, translations) and moderations kept nothing by default.",
            "正确：语音转文字（transcriptions、translations）和审核端点默认不保留数据。",
        )
    if "/v1/audio/speech" in got:
        raise Wrong(
            "/v1/audio/speech (text to speech) had 30 days in the table, not zero retention.", "/v1/audio/speech（文字转语音）在表里是 30 天，不是零数据保留。"
        )
    raise Wrong(
        f"Not quite: you gave {len(got)} endpoint(s). Choose those whose default retention reads 'Zero data retention'.",
        f"还不对：你给了 {len(got)} 个端点。请选出默认保留期为“零数据保留”的端点。",
    )


@exercise("08.3")
@friendly
def _(answer):
    if not isinstance(answer, dict):
        raise Wrong(
            "Give a dict of the arguments for client.chat.completions.create(**answer).",
            "请给出一个字典，作为 client.chat.completions.create(**answer) 的参数。",
        )
    missing = [k for k in ("model", "messages", "store", "metadata") if k not in answer]
    if missing:
        raise Wrong(f"Missing keys: {', '.join(missing)}.", f"缺少这些键：{', '.join(missing)}。")
    if answer["store"] is not True:
        raise Wrong("store must be the boolean True (not the string 'true').", "store 必须是布尔值 True（不是字符串 'true'）。")
    md = answer["metadata"]
    if not isinstance(md, dict) or not md:
        raise Wrong("metadata must be a non-empty dict, e.g. {'lesson': '08'}.", "metadata 必须是非空字典，例如 {'lesson': '08'}。")
    if len(md) > 16 or not all(isinstance(k, str) and isinstance(v, str) for k, v in md.items()):
        raise Wrong(
            "metadata holds at most 16 pairs, and keys and values must be strings (write '7' not 7).",
            "metadata 最多 16 对，键和值都必须是字符串（写 '7' 而不是 7）。",
        )
    if any(len(k) > 64 or len(v) > 512 for k, v in md.items()):
        raise Wrong("metadata keys are at most 64 characters and values at most 512.", "metadata 的键最多 64 个字符，值最多 512 个字符。")
    if not isinstance(answer["messages"], list) or not answer["messages"]:
        raise Wrong("messages must be a non-empty list.", "messages 必须是非空列表。")
    return passed("Correct: a stored completion with string metadata to find it again later.", "正确：这是一个带字符串元数据、以后可以再找到的存储补全请求。")


@exercise("08.4")
@friendly
def _(answer):
    need_callable(answer, "mask(key)")
    for key in SAMPLE_KEYS:
        shown = call(answer, key, name="mask")
        if not isinstance(shown, str):
            raise Wrong(f"mask({key!r}) returned {shown!r}: the function should return a string.", f"mask({key!r}) 返回了 {shown!r}：函数应当返回字符串。")
        if not shown.endswith(key[-4:]):
            raise Wrong(
                f"Keep the last 4 characters visible: mask({key!r}) should end with {key[-4:]!r}.",
                f"要保留最后 4 个字符：mask({key!r}) 应当以 {key[-4:]!r} 结尾。",
            )
        hidden = key[:-4]
        if any(hidden[i : i + 6] in shown for i in range(len(hidden) - 5)):
            raise Wrong(
                f"mask({key!r}) still shows too much of the key: hide everything but the last 4 characters.",
                f"mask({key!r}) 仍然暴露了太多内容：除最后 4 个字符外都要隐藏。",
            )
    return passed(
        "Correct: only the last 4 characters are visible, like sk-...abcd on the API keys page.",
        "正确：只显示最后 4 个字符，就像 API keys 页面上的 sk-...abcd。",
    )


@exercise("08.5")
@friendly
def _(answer):
    rules = need_text(answer, "your developer message", "你的开发者消息")
    reply = answer_text(ask(policy_messages(rules, IN_POLICY_QUESTION), max_tokens=40))
    if "30" not in reply:
        raise Wrong(
            f"Asked {IN_POLICY_QUESTION!r}, the model answered {reply!r}, without the 30 days the policy states. "
            "Tell the model to answer from the policy text in the user message.",
            f"问 {IN_POLICY_QUESTION!r} 时，模型回答 {reply!r}，没有说出政策里写的 30 天。请让模型根据用户消息里的政策文本回答。",
        )
    reply = answer_text(ask(policy_messages(rules, OFF_POLICY_QUESTION), max_tokens=40))
    if NOT_IN_POLICY not in reply:
        raise Wrong(
            f"Asked {OFF_POLICY_QUESTION!r}, which the policy does not cover, the model answered {reply!r}. "
            f"Tell it to reply exactly {NOT_IN_POLICY} when the policy text does not answer the question.",
            f"问政策没有涉及的 {OFF_POLICY_QUESTION!r} 时，模型回答 {reply!r}。请要求它在政策文本回答不了问题时，只回复 {NOT_IN_POLICY}。",
        )
    return passed(
        f"Correct: the model answered from the policy (30 days) and said {NOT_IN_POLICY} instead of inventing a rule.",
        f"正确：模型根据政策回答了（30 天），并在政策没有涉及时回答 {NOT_IN_POLICY}，而没有编造规则。",
    )
