"""Checks for notebook 02 (quickstart: chat, curl, embeddings, API errors)."""

from __future__ import annotations

import re

from . import exercise, failed, passed
from .judge import answer_text, ask, judged
from .shapes import call, need_function, need_messages, shaped

_SAMPLE = {
    "id": "chatcmpl-test",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Functions call themselves / 函数调用自己"}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
}


@exercise("02.1")
@shaped
def _(answer):
    from openai.types.chat import ChatCompletion

    need_function(answer, "get_text")
    got = call(answer, ChatCompletion.model_validate(_SAMPLE))
    if got == _SAMPLE["choices"][0]["message"]["content"]:
        return passed("Correct: completion.choices[0].message.content.", "正确：completion.choices[0].message.content。")
    return failed(
        f"Your function returned {type(got).__name__} {str(got)[:60]!r}; return the text of the first choice's message.",
        f"你的函数返回了 {type(got).__name__} {str(got)[:60]!r}；应返回第一个选项中消息的文本。",
    )


@exercise("02.2")
def _(answer):
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return failed(
            f"Give two things in a tuple: (status code, exception class), e.g. (500, openai.InternalServerError); you gave {answer!r:.60}.",
            f"请用元组写出两样东西：(状态码, 异常类)，例如 (500, openai.InternalServerError)；你给的是 {answer!r:.60}。",
        )
    status, error = answer
    name = error.__name__ if isinstance(error, type) else str(error)
    if status == 404 and name in ("NotFoundError", "openai.NotFoundError"):
        return passed(
            "Correct: HTTP 404 becomes openai.NotFoundError (a subclass of openai.APIStatusError).",
            "正确：HTTP 404 对应 openai.NotFoundError（openai.APIStatusError 的子类）。",
        )
    if status != 404:
        return failed(
            "The status code is not right: which HTTP status code means 'not found'? (a number)", "状态码不对：哪个 HTTP 状态码表示“找不到”？（数字）"
        )
    return failed(
        f"{name} is not the class the SDK raises for 404. Look at type(e).__name__ in the notebook.",
        f"SDK 遇到 404 抛出的不是 {name}。看看笔记本中 type(e).__name__ 的输出。",
    )


@exercise("02.3")
def _(answer):
    if not isinstance(answer, dict):
        return failed("Give the request body as a Python dict.", "请用 Python 字典给出请求体。")
    if set(answer) != {"model", "input"}:
        return failed(
            f"The embeddings body needs exactly the keys 'model' and 'input'; yours has {sorted(map(str, answer))}.",
            f"嵌入请求体只需要 'model' 和 'input' 两个键；你的是 {sorted(map(str, answer))}。",
        )
    if not (isinstance(answer["model"], str) and answer["model"]):
        return failed("'model' should be a model name string, such as EMBEDDING_MODEL.", "'model' 应是模型名字符串，例如 EMBEDDING_MODEL。")
    inp = answer["input"]
    if isinstance(inp, list) and len(inp) == 2 and all(isinstance(s, str) and s for s in inp):
        return passed("Correct: one request, two texts, two vectors back.", "正确：一个请求、两段文本，返回两个向量。")
    return failed("'input' should be a list of the two sentences.", "'input' 应是包含两句话的列表。")


HAIKU_REQUEST = re.compile(r"haiku|俳句", re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")


@exercise("02.4")
@judged
@shaped
def _(answer):
    """Prompt-and-judge: change the quickstart's messages so the haiku comes back in Chinese."""
    messages = need_messages(answer)
    users = [m["content"] for m in messages if m["role"] == "user"]
    if not users or not HAIKU_REQUEST.search(users[-1]):
        return failed(
            "Keep the quickstart's request: the last user message should still ask for a haiku about recursion.",
            "请保留快速入门的请求：最后一条用户消息仍要请模型写一首关于递归的俳句（haiku）。",
        )
    reply = answer_text(ask(messages))
    chinese, latin = len(CJK.findall(reply)), len(re.findall(r"[A-Za-z]", reply))
    if chinese >= 8 and chinese > latin:
        return passed(f"Correct: the haiku came back in Chinese: {reply[:60]!r}", f"正确：俳句用中文写成了：{reply[:60]!r}")
    return failed(
        f"The reply is mostly not Chinese: {reply[:80]!r}. Say plainly which language you want; small models follow an "
        "instruction in the user message more reliably than one in the system message.",
        f"回答大部分不是中文：{reply[:80]!r}。请直接说明你要哪种语言；小模型对用户消息里的指令，比对系统消息里的指令遵守得更可靠。",
    )
