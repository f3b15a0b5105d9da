"""Checks for notebook 07 (structured output and models: JSON mode, structured outputs, legacy completions).

07.1 is prompt-and-judge: the learner's JSON-mode request runs on the configured
model and the check judges the JSON that comes back. 07.4 runs the learner's
function on real SDK response objects (built from the API's JSON, not from the API).
"""

from __future__ import annotations

import json

from . import exercise, passed
from .judge import ask
from .learner import Wrong, call, content_text, friendly, need_callable


def _json_request(answer) -> tuple[list, dict]:
    if not isinstance(answer, dict) or "response_format" not in answer or "messages" not in answer:
        raise Wrong(
            "Give a dict with the keys 'messages' and 'response_format' (the arguments you would pass).",
            "请给出一个带 'messages' 和 'response_format' 两个键的字典（也就是要传的参数）。",
        )
    if answer["response_format"] != {"type": "json_object"}:
        raise Wrong("JSON mode is response_format={'type': 'json_object'}.", "JSON 模式的写法是 response_format={'type': 'json_object'}。")
    messages = answer["messages"]
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) and "role" in m and "content" in m for m in messages):
        raise Wrong("'messages' must be a list of dicts with 'role' and 'content'.", "'messages' 必须是带 'role' 和 'content' 的字典列表。")
    if not any("json" in content_text(m["content"]).lower() for m in messages):
        raise Wrong(
            "The API rejects JSON mode unless the word JSON appears in the messages: say 'answer in JSON'.",
            "messages 里没有出现 JSON 这个词时，API 会拒绝 JSON 模式：请写上“用 JSON 回答”（answer in JSON）。",
        )
    return messages, answer["response_format"]


@exercise("07.1")
@friendly
def _(answer):
    messages, response_format = _json_request(answer)
    completion = ask(messages, response_format=response_format, max_tokens=100)
    choice = completion.choices[0]
    text = choice.message.content or ""
    if choice.finish_reason == "length":
        raise Wrong(
            "The answer was cut off by max_tokens (finish_reason 'length'): ask for a short object with just the two keys.",
            "回答被 max_tokens 截断了（finish_reason 为 'length'）：请只要一个含这两个键的简短对象。",
        )
    try:
        cat = json.loads(text)
    except json.JSONDecodeError:
        raise Wrong(f"The model's answer is not valid JSON: {text[:80]!r}.", f"模型的回答不是合法的 JSON：{text[:80]!r}。") from None
    if not isinstance(cat, dict) or set(cat) != {"name", "age"}:
        keys = sorted(cat) if isinstance(cat, dict) else type(cat).__name__
        raise Wrong(
            f"The model answered {text[:80]!r}: its keys are {keys}, not exactly name and age. "
            "JSON mode guarantees JSON, not your keys: name both keys in the prompt and ask for no others.",
            f"模型回答 {text[:80]!r}：它的键是 {keys}，而不恰好是 name 和 age。"
            "JSON 模式只保证是 JSON，不保证是你要的键：请在提示词里写明这两个键，并说明不要别的键。",
        )
    if not isinstance(cat["name"], str) or isinstance(cat["age"], bool) or not isinstance(cat["age"], (int, float)):
        raise Wrong(
            f"The model answered {text[:80]!r}: name should be a string and age a number.", f"模型回答 {text[:80]!r}：name 应当是字符串，age 应当是数字。"
        )
    return passed(
        f"Correct: the model answered {text.strip()!r}, a JSON object with exactly name and age.",
        f"正确：模型回答了 {text.strip()!r}，一个恰好含 name 和 age 的 JSON 对象。",
    )


def _string_prop(prop, where: str) -> None:
    if not isinstance(prop, dict) or prop.get("type") != "string":
        raise Wrong(f"{where} should be {{'type': 'string'}}.", f"{where} 应当是 {{'type': 'string'}}。")
    if "maxLength" in prop and (not isinstance(prop["maxLength"], int) or isinstance(prop["maxLength"], bool)):
        raise Wrong(f"maxLength of {where} must be an int (or leave it out).", f"{where} 的 maxLength 必须是整数（也可以不写）。")


@exercise("07.2")
@friendly
def _(answer):
    if not isinstance(answer, dict) or answer.get("type") != "json_schema" or not isinstance(answer.get("json_schema"), dict):
        raise Wrong(
            "Give a response_format dict: {'type': 'json_schema', 'json_schema': {'name': ..., 'strict': True, 'schema': ...}}.",
            "请给出 response_format 字典：{'type': 'json_schema', 'json_schema': {'name': ..., 'strict': True, 'schema': ...}}。",
        )
    js = answer["json_schema"]
    if not isinstance(js.get("name"), str) or not js["name"]:
        raise Wrong("json_schema needs a 'name' (a short string such as 'book').", "json_schema 需要一个 'name'（简短字符串，例如 'book'）。")
    if js.get("strict") is not True:
        raise Wrong(
            "Set 'strict': True in json_schema, so the answer must follow the schema.", "请在 json_schema 里设置 'strict': True，这样回答必须符合架构。"
        )
    schema = js.get("schema")
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise Wrong(
            "The schema must describe an object: {'type': 'object', 'properties': {...}, ...}.",
            "架构描述的必须是对象：{'type': 'object', 'properties': {...}, ...}。",
        )
    props = schema["properties"]
    if set(props) != {"title", "authors"}:
        raise Wrong("The object should have exactly two properties: 'title' and 'authors'.", "对象应当恰好有两个属性：'title' 和 'authors'。")
    _string_prop(props["title"], "'title'")
    authors = props["authors"]
    if not isinstance(authors, dict) or authors.get("type") != "array":
        raise Wrong(
            "'authors' should be an array: {'type': 'array', 'items': {'type': 'string'}}.",
            "'authors' 应当是数组：{'type': 'array', 'items': {'type': 'string'}}。",
        )
    _string_prop(authors.get("items"), "the items of 'authors'")
    if set(schema.get("required") or []) != {"title", "authors"} or schema.get("additionalProperties") is not False:
        raise Wrong(
            "Strict structured outputs need every property in 'required' and 'additionalProperties': False.",
            "严格的结构化输出要求所有属性都列在 'required' 中，并设置 'additionalProperties': False。",
        )
    return passed(
        "Correct: a strict schema; with or without maxLength/maxItems (which the real API may reject), the answer is valid JSON in this shape.",
        "正确：这是严格模式的架构；无论是否带 maxLength/maxItems（真实 API 可能拒绝它们），回答都是这个形状的合法 JSON。",
    )


@exercise("07.3")
@friendly
def _(answer):
    path = answer.strip().lower().rstrip("/") if isinstance(answer, str) else None
    if path in ("/v1/completions", "v1/completions"):
        return passed(
            "Correct: instruct and base models use the legacy /v1/completions endpoint.", "正确：instruct 模型和基础模型使用旧版的 /v1/completions 端点。"
        )
    if path and "chat" in path:
        raise Wrong(
            "gpt-3.5-turbo-instruct is not a chat model: the chat endpoint does not serve it.", "gpt-3.5-turbo-instruct 不是聊天模型：对话端点不为它服务。"
        )
    raise Wrong("Not quite: give the endpoint path as a string, such as '/v1/embeddings'.", "还不对：请用字符串写出端点路径，例如 '/v1/embeddings'。")


def _completion(content: str, finish_reason: str):
    """A real SDK ChatCompletion object, parsed from the JSON the API sends."""
    from openai.types.chat import ChatCompletion

    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-exercise",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": finish_reason, "logprobs": None, "message": {"role": "assistant", "content": content, "refusal": None}}],
        }
    )


SAFE_JSON_CASES = [
    ('{"name": "Tom", "age": 3}', "stop", {"name": "Tom", "age": 3}),
    ('{"name": "Tom", "ag', "length", None),
    ('{"sights": ["Louvre", "Eiffel Tower"]', "length", None),
    ("Sure! Here is your cat.", "stop", None),
]


@exercise("07.4")
@friendly
def _(answer):
    need_callable(answer, "safe_json(response)")
    for content, finish_reason, want in SAFE_JSON_CASES:
        got = call(answer, _completion(content, finish_reason), name="safe_json")
        if got != want:
            raise Wrong(
                f"For an answer {content!r} with finish_reason {finish_reason!r}, safe_json returned {got!r}; expected {want!r}. "
                "Check finish_reason first, then json.loads inside try/except json.JSONDecodeError.",
                f"对于内容为 {content!r}、finish_reason 为 {finish_reason!r} 的回答，safe_json 返回了 {got!r}，应为 {want!r}。"
                "先检查 finish_reason，再在 try/except json.JSONDecodeError 里调用 json.loads。",
            )
    return passed("Correct: a cut-off or non-JSON answer gives None instead of a crash.", "正确：被截断或不是 JSON 的回答返回 None，而不会让程序崩溃。")
