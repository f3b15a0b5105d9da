"""Checks for notebook 02 (quickstart: chat, curl, embeddings, images errors, Responses API)."""
from __future__ import annotations

from . import exercise, failed, passed

_SAMPLE = {
    "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "Functions call themselves / 函数调用自己"}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
}


@exercise("02.1")
def _(answer):
    from openai.types.chat import ChatCompletion

    if not callable(answer):
        return failed("Give a function that takes a completion and returns its text: answer = get_text.",
                      "请给出一个函数：接收 completion，返回回答文本。answer = get_text。")
    got = answer(ChatCompletion.model_validate(_SAMPLE))
    if got == _SAMPLE["choices"][0]["message"]["content"]:
        return passed("Correct: completion.choices[0].message.content.", "正确：completion.choices[0].message.content。")
    return failed(f"Your function returned {type(got).__name__} {str(got)[:60]!r}; return the text of the first choice's message.",
                  f"你的函数返回了 {type(got).__name__} {str(got)[:60]!r}；应返回第一个选项中消息的文本。")


@exercise("02.2")
def _(answer):

    status, error = answer
    name = error.__name__ if isinstance(error, type) else str(error)
    if status == 404 and name in ("NotFoundError", "openai.NotFoundError"):
        return passed("Correct: HTTP 404 becomes openai.NotFoundError (a subclass of openai.APIStatusError).",
                      "正确：HTTP 404 对应 openai.NotFoundError（openai.APIStatusError 的子类）。")
    if status != 404:
        return failed("The status code is not right: which HTTP status code means 'not found'?",
                      "状态码不对：哪个 HTTP 状态码表示“找不到”？")
    return failed(f"{name} is not the class the SDK raises for 404. Look at type(e).__name__ in the notebook.",
                  f"SDK 遇到 404 抛出的不是 {name}。看看笔记本中 type(e).__name__ 的输出。")


@exercise("02.3")
def _(answer):
    if not isinstance(answer, dict):
        return failed("Give the request body as a Python dict.", "请用 Python 字典给出请求体。")
    if set(answer) != {"model", "input"}:
        return failed(f"The embeddings body needs exactly the keys 'model' and 'input'; yours has {sorted(answer)}.",
                      f"嵌入请求体只需要 'model' 和 'input' 两个键；你的是 {sorted(answer)}。")
    if not (isinstance(answer["model"], str) and answer["model"]):
        return failed("'model' should be a model name string, such as EMBEDDING_MODEL.", "'model' 应是模型名字符串，例如 EMBEDDING_MODEL。")
    inp = answer["input"]
    if isinstance(inp, list) and len(inp) == 2 and all(isinstance(s, str) and s for s in inp):
        return passed("Correct: one request, two texts, two vectors back.", "正确：一个请求、两段文本，返回两个向量。")
    return failed("'input' should be a list of the two sentences.", "'input' 应是包含两句话的列表。")


@exercise("02.4")
def _(answer):
    if isinstance(answer, str) and answer.strip().lstrip(".") == "output_text":
        return passed("Correct: response.output_text joins the text of the output.", "正确：response.output_text 汇总了输出的文本。")
    return failed("Not quite: which attribute of a Responses API result holds the whole text?",
                  "还不对：Responses API 结果的哪个属性包含全部文本？")
