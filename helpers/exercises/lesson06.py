"""Checks for notebook 06 (text generation: parameters, JSON mode, structured outputs, legacy completions, models)."""
from __future__ import annotations

from . import exercise, failed, passed


@exercise("06.1")
def _(answer):
    if isinstance(answer, str) and answer.strip() == "length":
        return passed("Correct: finish_reason 'length' means max_tokens cut the answer off.",
                      "正确：finish_reason 为 'length' 表示回答被 max_tokens 截断了。")
    if isinstance(answer, str) and answer.strip() == "stop":
        return failed("'stop' means the model ended by itself or hit a stop sequence.",
                      "'stop' 表示模型自然结束或遇到了停止序列。")
    return failed("Not quite: give the finish_reason value as a string.", "还不对：请用字符串写出 finish_reason 的值。")


@exercise("06.2")
def _(answer):
    if not isinstance(answer, dict) or "response_format" not in answer or "messages" not in answer:
        return failed("Give a dict with the keys 'messages' and 'response_format' (the arguments you would pass).",
                      "请给出一个带 'messages' 和 'response_format' 两个键的字典（也就是要传的参数）。")
    if answer["response_format"] != {"type": "json_object"}:
        return failed("JSON mode is response_format={'type': 'json_object'}.",
                      "JSON 模式的写法是 response_format={'type': 'json_object'}。")
    texts = []
    for m in answer["messages"]:
        c = m["content"]
        texts.append(c if isinstance(c, str) else " ".join(p.get("text", "") for p in c))
    if not any("json" in t.lower() for t in texts):
        return failed("The API rejects JSON mode unless the word JSON appears in the messages: say 'answer in JSON'.",
                      "messages 里没有出现 JSON 这个词时，API 会拒绝 JSON 模式：请写上“用 JSON 回答”（answer in JSON）。")
    return passed("Correct: json_object, and the messages ask for JSON.", "正确：使用 json_object，并且消息里要求了 JSON。")


def _bounded_string(prop) -> bool:
    return isinstance(prop, dict) and prop.get("type") == "string" and isinstance(prop.get("maxLength"), int)


@exercise("06.3")
def _(answer):
    if not isinstance(answer, dict) or answer.get("type") != "json_schema" or not isinstance(answer.get("json_schema"), dict):
        return failed("Give a response_format dict: {'type': 'json_schema', 'json_schema': {'name': ..., 'schema': ...}}.",
                      "请给出 response_format 字典：{'type': 'json_schema', 'json_schema': {'name': ..., 'schema': ...}}。")
    js = answer["json_schema"]
    if not isinstance(js.get("name"), str) or not js["name"]:
        return failed("json_schema needs a 'name' (a short string such as 'book').", "json_schema 需要一个 'name'（简短字符串，例如 'book'）。")
    schema = js.get("schema")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return failed("The schema must describe an object: 'type': 'object'.", "架构描述的必须是对象：'type': 'object'。")
    props = schema.get("properties") or {}
    if set(props) != {"title", "authors"}:
        return failed("The object should have exactly two properties: 'title' and 'authors'.",
                      "对象应当恰好有两个属性：'title' 和 'authors'。")
    if not _bounded_string(props["title"]):
        return failed("'title' should be a string with a maxLength.", "'title' 应当是带 maxLength 的字符串。")
    authors = props["authors"]
    if not (isinstance(authors, dict) and authors.get("type") == "array" and isinstance(authors.get("maxItems"), int)
            and _bounded_string(authors.get("items"))):
        return failed("'authors' should be an array with maxItems whose items are strings with a maxLength.",
                      "'authors' 应当是带 maxItems 的数组，其元素是带 maxLength 的字符串。")
    if set(schema.get("required") or []) != {"title", "authors"} or schema.get("additionalProperties") is not False:
        return failed("Strict structured outputs need every property in 'required' and 'additionalProperties': False.",
                      "严格的结构化输出要求所有属性都列在 'required' 中，并设置 'additionalProperties': False。")
    return passed("Correct: a bounded schema, so the answer is valid JSON of a limited size.",
                  "正确：这是有上限的架构，回答一定是大小有限的合法 JSON。")


@exercise("06.4")
def _(answer):
    a = answer.strip().lower().rstrip("/") if isinstance(answer, str) else ""
    if a in ("/v1/completions", "v1/completions"):
        return passed("Correct: instruct and base models use the legacy /v1/completions endpoint.",
                      "正确：instruct 模型和基础模型使用旧版的 /v1/completions 端点。")
    if "chat" in a:
        return failed("gpt-3.5-turbo-instruct is not a chat model: the chat endpoint answers 404 for it.",
                      "gpt-3.5-turbo-instruct 不是聊天模型：对话端点会对它返回 404。")
    return failed("Not quite: give the endpoint path as a string, such as '/v1/embeddings'.",
                  "还不对：请用字符串写出端点路径，例如 '/v1/embeddings'。")


@exercise("06.5")
def _(answer):
    if answer == 16385:
        return passed("Correct: 16,385 tokens for gpt-3.5-turbo-1106 (as of late 2023).",
                      "正确：gpt-3.5-turbo-1106 的上下文窗口是 16,385 个词元（截至 2023 年底）。")
    if answer == 4096:
        return failed("4,096 is the most it can write in one answer (its output limit), not its context window.",
                      "4,096 是它一次最多输出的词元数，不是上下文窗口。")
    return failed("Not quite: look up gpt-3.5-turbo-1106 in the GPT-3.5 table and give the number as an int.",
                  "还不对：在 GPT-3.5 表格中查找 gpt-3.5-turbo-1106，并以整数给出。")
