"""Checks for notebook 10 (function calling).

10.1 writes a tool schema by hand, 10.2 builds the messages that send a tool's
result back, 10.3 validates the model's arguments without `eval`, and 10.4 is
prompt-and-judge: the learner's own tool and question go to the model, which
must call that tool with a city taken from the question. Every wrong shape is
answered with feedback in both languages, never a traceback.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import Feedback, exercise, failed, passed
from .judge import answer_text, ask, judged

NAME_RULE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # the API's rule for function names

# 10.2: the conversation so far, as the notebook shows it
QUESTION = {"role": "user", "content": "What's the weather like in Paris today?"}
TOOL_CALL = {"id": "call_paris_0001", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
ASSISTANT = {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}
RESULT = {"city": "Paris", "temperature_c": 18, "sky": "cloudy"}

# 10.3: the currencies the (pretend) bank converts
CURRENCIES = {"USD", "EUR", "CNY", "JPY", "GBP"}

# 10.4: a tool the model may pick instead of the learner's; picking it is the wrong function
DISTRACTOR = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount of money from one currency to another.",
        "parameters": {
            "type": "object",
            "properties": {"amount": {"type": "number"}, "from_currency": {"type": "string"}, "to_currency": {"type": "string"}},
            "required": ["amount", "from_currency", "to_currency"],
            "additionalProperties": False,
        },
    },
}


def _function_part(tool: Any, name: str) -> tuple[dict | None, Feedback | None]:
    """The `function` object of a chat-completions tool, or feedback on what is wrong with its shape."""
    if not isinstance(tool, dict):
        return None, failed(
            f'A tool is a dict such as {{"type": "function", "function": {{...}}}}, not a {type(tool).__name__}.',
            f'工具是一个 dict，形如 {{"type": "function", "function": {{...}}}}，而不是 {type(tool).__name__}。',
        )
    if tool.get("type") != "function":
        return None, failed('The tool needs "type": "function".', '工具需要 "type": "function"。')
    function = tool.get("function")
    if not isinstance(function, dict):
        if "name" in tool:
            return None, failed(
                'In chat completions, name, description and parameters go inside "function": {...} (the flat form is the Responses API\'s).',
                '在聊天补全中，name、description 和 parameters 要放在 "function": {...} 里面（平铺的写法属于 Responses API）。',
            )
        return None, failed(
            'The tool needs a "function" dict with name, description and parameters.', '工具需要一个 "function" dict，里面有 name、description 和 parameters。'
        )
    got = function.get("name")
    if not isinstance(got, str) or not NAME_RULE.match(got):
        return None, failed(
            "The function name may use only letters, digits, _ and -, at most 64 characters.", "函数名只能包含字母、数字、_ 和 -，最多 64 个字符。"
        )
    if got != name:
        return None, failed(f"Name the function {name!r} (you wrote {got!r}).", f"请把函数命名为 {name!r}（你写的是 {got!r}）。")
    if not isinstance(function.get("description"), str) or not function["description"].strip():
        return None, failed(
            "Add a description: the model reads it to decide when to call the function.", "请加上 description：模型靠它判断什么时候调用这个函数。"
        )
    return function, None


def _object_schema(function: dict) -> tuple[dict | None, Feedback | None]:
    schema = function.get("parameters")
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return None, failed(
            '"parameters" must be a JSON schema of an object: {"type": "object", "properties": {...}, "required": [...]}.',
            '"parameters" 必须是描述一个对象的 JSON 架构：{"type": "object", "properties": {...}, "required": [...]}。',
        )
    return schema, None


def _property_types(schema: dict, wanted: dict[str, str]) -> Feedback | None:
    properties, required = schema["properties"], schema.get("required") or []
    for key, kind in wanted.items():
        prop = properties.get(key)
        if not isinstance(prop, dict):
            return failed(f"The parameters need a property {key!r}.", f"参数里需要一个属性 {key!r}。")
        if prop.get("type") != kind:
            return failed(f'{key!r} should have "type": "{kind}".', f'{key!r} 应当是 "type": "{kind}"。')
        if not isinstance(required, list) or key not in required:
            return failed(f'List {key!r} in "required": the function cannot run without it.', f'请把 {key!r} 列在 "required" 里：没有它函数就无法运行。')
    return None


@exercise("10.1")
def _(answer):
    function, problem = _function_part(answer, "convert_currency")
    if problem:
        return problem
    schema, problem = _object_schema(function)
    if problem:
        return problem
    problem = _property_types(schema, {"amount": "number", "from_currency": "string", "to_currency": "string"})
    if problem:
        return problem
    if function.get("strict") is not True:
        return failed('Add "strict": true next to name, description and parameters.', '请在 name、description 和 parameters 旁边加上 "strict": true。')
    if schema.get("additionalProperties") is not False:
        return failed(
            'With "strict": true the schema needs "additionalProperties": false.', '使用 "strict": true 时，架构里需要 "additionalProperties": false。'
        )
    if sorted(schema.get("required", [])) != sorted(schema["properties"]):
        return failed('With "strict": true every property must be listed in "required".', '使用 "strict": true 时，每个属性都必须列在 "required" 里。')
    return passed("Correct: a strict tool whose arguments will always match this schema.", "正确：这是一个严格模式的工具，它的参数总会符合这个架构。")


def _as_dict(message: Any) -> Any:
    return message.model_dump(exclude_none=True) if hasattr(message, "model_dump") else message


@exercise("10.2")
def _(answer):
    if not isinstance(answer, list) or not all(isinstance(_as_dict(m), dict) for m in answer):
        return failed("Give a list of message dicts.", "请给出一个由消息 dict 组成的列表。")
    messages = [_as_dict(m) for m in answer]
    if len(messages) != 3:
        return failed(
            f"Send three messages: the question, the assistant's tool call, the tool's result (you have {len(messages)}).",
            f"要发送三条消息：问题、助手的工具调用、工具的结果（你的列表有 {len(messages)} 条）。",
        )
    first, middle, last = messages
    if first.get("role") != "user" or first.get("content") != QUESTION["content"]:
        return failed("Start with the user's question, unchanged.", "第一条是用户的问题，保持原样。")
    if middle.get("role") != "assistant" or middle.get("tool_calls") != ASSISTANT["tool_calls"]:
        return failed(
            "Then the assistant message with its tool_calls, exactly as the model sent it (`assistant`).",
            "第二条是带 tool_calls 的助手消息，原样放入模型发来的内容（`assistant`）。",
        )
    if last.get("role") != "tool":
        return failed('The result goes in a message with "role": "tool".', '结果要放在 "role": "tool" 的消息里。')
    if last.get("tool_call_id") != TOOL_CALL["id"]:
        return failed(
            f'The tool message needs "tool_call_id": {TOOL_CALL["id"]!r}, the id of the call it answers.',
            f'工具消息需要 "tool_call_id": {TOOL_CALL["id"]!r}，也就是它所回答的那次调用的 id。',
        )
    content = last.get("content")
    if not isinstance(content, str):
        return failed(
            "The tool message's content must be a string: turn the result into text with json.dumps(result).",
            "工具消息的 content 必须是字符串：用 json.dumps(result) 把结果变成文字。",
        )
    try:
        sent = json.loads(content)
    except ValueError:
        sent = None
    if sent != RESULT:
        return failed("Send the whole result as JSON text: json.dumps(result).", "请把整个结果作为 JSON 文本发送：json.dumps(result)。")
    return passed(
        "Correct: question, tool call, and its result under the call's id. Send this list to get the final answer.",
        "正确：问题、工具调用，以及用调用 id 标明的结果。把这个列表发出去，就能得到最终回答。",
    )


# 10.3: (arguments, what a safe parser does with them)
GOOD_ARGUMENTS = [
    ('{"amount": 100, "from_currency": "USD", "to_currency": "EUR"}', {"amount": 100, "from_currency": "USD", "to_currency": "EUR"}),
    ('{"amount": 12.5, "from_currency": "CNY", "to_currency": "JPY"}', {"amount": 12.5, "from_currency": "CNY", "to_currency": "JPY"}),
]
BAD_ARGUMENTS = [
    (
        "{'amount': 100, 'from_currency': 'USD', 'to_currency': 'EUR'}",
        "Python syntax, not JSON: parse with json.loads, never eval",
        "这是 Python 写法，不是 JSON：要用 json.loads 解析，绝不能用 eval",
    ),
    ("__import__('os').getcwd()", "code, not JSON", "这是代码，不是 JSON"),
    ('{"amount": 100, "from_currency": "USD"}', "to_currency is missing", "缺少 to_currency"),
    ('{"amount": -5, "from_currency": "USD", "to_currency": "EUR"}', "the amount is not positive", "金额不是正数"),
    ('{"amount": "100", "from_currency": "USD", "to_currency": "EUR"}', "the amount is a string, not a number", "金额是字符串，不是数字"),
    ('{"amount": 100, "from_currency": "USD", "to_currency": "BTC"}', "BTC is not an allowed currency", "BTC 不是允许的货币"),
    ('[100, "USD", "EUR"]', "a list, not an object", "这是列表，不是对象"),
]


def _outcome(fn, arguments: str) -> tuple[str, Any]:
    try:
        return "returned", fn(arguments)
    except ValueError as e:  # json.JSONDecodeError is a ValueError too
        return "ValueError", e
    except Exception as e:  # noqa: BLE001 - any other exception is the learner's bug, reported as feedback
        return type(e).__name__, e


@exercise("10.3")
def _(answer):
    if not callable(answer):
        return failed(
            "Give a function parse_conversion(arguments) that takes the arguments string and returns a dict.",
            "请给出一个函数 parse_conversion(arguments)：接收参数字符串，返回一个 dict。",
        )
    for arguments, want in GOOD_ARGUMENTS:
        kind, got = _outcome(answer, arguments)
        if kind != "returned":
            return failed(f"For {arguments} (valid) your function raised {kind}: {got}", f"对于合法的参数 {arguments}，你的函数抛出了 {kind}：{got}")
        if not isinstance(got, dict) or {k: got.get(k) for k in want} != want:
            return failed(
                f"For {arguments} return a dict with amount, from_currency and to_currency; you returned {got!r}.",
                f"对于 {arguments}，应当返回含 amount、from_currency 和 to_currency 的 dict；你返回的是 {got!r}。",
            )
    for arguments, why_en, why_zh in BAD_ARGUMENTS:
        kind, got = _outcome(answer, arguments)
        if kind != "ValueError":
            what_en, what_zh = (f"returned {got!r}", f"返回了 {got!r}") if kind == "returned" else (f"raised {kind}", f"抛出了 {kind}")
            return failed(
                f"For {arguments} ({why_en}) raise ValueError; your function {what_en}.",
                f"对于 {arguments}（{why_zh}）应当抛出 ValueError；你的函数{what_zh}。",
            )
    return passed(
        "Correct: JSON only, every field checked, and anything else refused before your code acts on it.",
        "正确：只接受 JSON，逐个检查字段，其余一律在代码执行之前拒绝。",
    )


def _judge_shape(answer: Any) -> tuple[dict | None, str | None, Feedback | None]:
    if not isinstance(answer, dict) or set(answer) != {"tool", "question"}:
        return (
            None,
            None,
            failed(
                'Give a dict with two keys: {"tool": your_tool, "question": "your question"}.',
                '请给出一个有两个键的 dict：{"tool": 你的工具, "question": "你的问题"}。',
            ),
        )
    function, problem = _function_part(answer["tool"], "get_local_time")
    if problem:
        return None, None, problem
    schema, problem = _object_schema(function)
    if problem:
        return None, None, problem
    problem = _property_types(schema, {"city": "string"})
    if problem:
        return None, None, problem
    question = answer["question"]
    if not isinstance(question, str) or not question.strip():
        return None, None, failed("The question must be a non-empty string.", "问题必须是非空字符串。")
    return answer["tool"], question, None


@exercise("10.4")
@judged
def _(answer):
    tool, question, problem = _judge_shape(answer)
    if problem:
        return problem
    reply = ask([{"role": "user", "content": question}], tools=[tool, DISTRACTOR], tool_choice="auto")
    calls = reply.choices[0].message.tool_calls or []
    if not calls:
        text = answer_text(reply)[:120]
        return failed(
            f"The model answered with text instead of a tool call: {text!r}. Make the description say what the "
            f"function is for, and ask a question that needs it.",
            f"模型直接用文字回答，没有调用工具：{text!r}。让 description 说清函数的用途，并提一个需要它的问题。",
        )
    call = calls[0].function
    if call.name != "get_local_time":
        return failed(
            f"The model called {call.name} instead of get_local_time: make your description and question clearer.",
            f"模型调用了 {call.name}，而不是 get_local_time：请把描述和问题写得更清楚。",
        )
    try:
        arguments = json.loads(call.arguments)
    except ValueError:
        return failed(
            f'The arguments are not valid JSON: {call.arguments!r}. Try "strict": true.', f'参数不是合法的 JSON：{call.arguments!r}。试试 "strict": true。'
        )
    city = arguments.get("city") if isinstance(arguments, dict) else None
    if not isinstance(city, str) or not city.strip() or city.strip().lower() not in question.lower():
        return failed(
            f"The model called get_local_time with {call.arguments}, but that city is not in your question. Name one city in the question.",
            f"模型用 {call.arguments} 调用了 get_local_time，但这个城市不在你的问题里。请在问题中写明一个城市。",
        )
    return passed(f"Correct: the model called get_local_time with {call.arguments}.", f"正确：模型用 {call.arguments} 调用了 get_local_time。")
