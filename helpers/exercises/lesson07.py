"""Checks for notebook 07 (data policies: training, retention, stored completions, key safety)."""

from __future__ import annotations

import datetime as dt

from . import exercise, failed, passed

# Endpoints whose default was zero data retention in the late-2023 table (docs/data-usage.md).
ZERO_RETENTION_BY_DEFAULT = {"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/moderations"}
# Sample keys for 07.5: obviously fake, never real-looking.
SAMPLE_KEYS = ("sk-fake-demo-9f3a", "sk-EXAMPLE-ONLY-wxyz", "sk-course-demo-0000")


@exercise("07.1")
def _(answer):
    if answer == 30 and not isinstance(answer, bool):
        return passed("Correct: 30 days by default for abuse monitoring (late 2023).", "正确：为了滥用监控，默认保留 30 天（2023 年底）。")
    if answer == 0:
        return failed(
            "Zero data retention is something you apply for; it is not the default for chat completions.", "零数据保留需要申请，不是对话补全的默认设置。"
        )
    return failed("Not quite: give the number of days as an int; see the retention table.", "还不对：请以整数给出天数；看一看数据保留表。")


@exercise("07.2")
def _(answer):
    if isinstance(answer, dt.datetime):
        answer = answer.date()
    if isinstance(answer, dt.date):
        answer = answer.isoformat()
    if isinstance(answer, str) and answer.strip() == "2023-03-01":
        return passed("Correct: since 2023-03-01 API data is not used for training by default.", "正确：自 2023-03-01 起，API 数据默认不用于训练。")
    return failed("Not quite: give the date as a string 'YYYY-MM-DD'.", "还不对：请用 'YYYY-MM-DD' 格式的字符串写出日期。")


@exercise("07.3")
def _(answer):
    if not isinstance(answer, dict):
        return failed(
            "Give a dict of the arguments for client.chat.completions.create(**answer).",
            "请给出一个字典，作为 client.chat.completions.create(**answer) 的参数。",
        )
    missing = [k for k in ("model", "messages", "store", "metadata") if k not in answer]
    if missing:
        return failed(f"Missing keys: {', '.join(missing)}.", f"缺少这些键：{', '.join(missing)}。")
    if answer["store"] is not True:
        return failed("store must be the boolean True (not the string 'true').", "store 必须是布尔值 True（不是字符串 'true'）。")
    md = answer["metadata"]
    if not isinstance(md, dict) or not md:
        return failed("metadata must be a non-empty dict, e.g. {'lesson': '07'}.", "metadata 必须是非空字典，例如 {'lesson': '07'}。")
    if len(md) > 16 or not all(isinstance(k, str) and isinstance(v, str) for k, v in md.items()):
        return failed(
            "metadata holds at most 16 pairs, and keys and values must be strings (write '7' not 7).",
            "metadata 最多 16 对，键和值都必须是字符串（写 '7' 而不是 7）。",
        )
    if any(len(k) > 64 or len(v) > 512 for k, v in md.items()):
        return failed("metadata keys are at most 64 characters and values at most 512.", "metadata 的键最多 64 个字符，值最多 512 个字符。")
    if not isinstance(answer["messages"], list) or not answer["messages"]:
        return failed("messages must be a non-empty list.", "messages 必须是非空列表。")
    return passed("Correct: a stored completion with string metadata to find it again later.", "正确：这是一个带字符串元数据、以后可以再找到的存储补全请求。")


@exercise("07.4")
def _(answer):
    try:
        got = {str(x).strip().rstrip("/") for x in answer}
    except TypeError:
        got = None
    if got == ZERO_RETENTION_BY_DEFAULT:
        return passed(
            "Correct: speech to text (transcriptions, translations) and moderations kept nothing by default.",
            "正确：语音转文字（transcriptions、translations）和审核端点默认不保留数据。",
        )
    if isinstance(got, set) and "/v1/audio/speech" in got:
        return failed(
            "/v1/audio/speech (text to speech) had 30 days in the table, not zero retention.", "/v1/audio/speech（文字转语音）在表里是 30 天，不是零数据保留。"
        )
    return failed(
        "Not quite: give a set of endpoint paths such as {'/v1/...', ...} whose default retention is 'Zero data retention'.",
        "还不对：请给出一个端点路径的集合，如 {'/v1/...', ...}，选出默认保留期为“零数据保留”的端点。",
    )


@exercise("07.5")
def _(answer):
    if not callable(answer):
        return failed("Give a function, e.g. def mask(key): ..., then answer = mask.", "请给出一个函数，例如 def mask(key): ...，然后 answer = mask。")
    for key in SAMPLE_KEYS:
        shown = answer(key)
        if not isinstance(shown, str):
            return failed("The function should return a string.", "函数应当返回字符串。")
        if not shown.endswith(key[-4:]):
            return failed(
                f"Keep the last 4 characters visible: mask({key!r}) should end with {key[-4:]!r}.",
                f"要保留最后 4 个字符：mask({key!r}) 应当以 {key[-4:]!r} 结尾。",
            )
        hidden = key[:-4]
        if any(hidden[i : i + 6] in shown for i in range(len(hidden) - 5)):
            return failed(
                f"mask({key!r}) still shows too much of the key: hide everything but the last 4 characters.",
                f"mask({key!r}) 仍然暴露了太多内容：除最后 4 个字符外都要隐藏。",
            )
    return passed(
        "Correct: only the last 4 characters are visible, like sk-...abcd on the API keys page.",
        "正确：只显示最后 4 个字符，就像 API keys 页面上的 sk-...abcd。",
    )
