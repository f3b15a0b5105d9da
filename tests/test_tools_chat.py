"""Function calling on chat completions: the real SDK against the real server running Qwen2.5-Coder-0.5B."""

from __future__ import annotations

import json

import jsonschema
import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel
from tools_support import (
    CHAT,
    CURRENCY,
    TOOLS,
    WEATHER,
    assert_exact,
    raw_post,
    sse_events,
)

PARIS = [{"role": "user", "content": "What's the weather in Paris right now?"}]


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str


@pytest.fixture(scope="module")
def tc(tool_server):
    return openai.OpenAI(base_url=tool_server.base_url, api_key="test", max_retries=0, timeout=300)


def _schema(tool):
    return tool["function"]["parameters"]


def test_auto_call_has_the_api_shape(tool_server):
    r = raw_post(tool_server, "/chat/completions", {"model": CHAT, "messages": PARIS, "tools": TOOLS, "temperature": 0})
    assert r.status_code == 200, r.text
    completion = assert_exact(ChatCompletion, r.json())
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments)["city"].casefold() == "paris"
    u = completion.usage
    assert u.prompt_tokens > 50 and u.completion_tokens > 0 and u.total_tokens == u.prompt_tokens + u.completion_tokens


def test_required_always_gives_a_valid_call(tc):
    """Even for a question no tool fits, `required` yields a call whose arguments validate."""
    r = tc.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Tell me a joke about cats."}], tools=TOOLS, tool_choice="required", temperature=0
    )
    calls = r.choices[0].message.tool_calls
    assert calls and r.choices[0].finish_reason == "tool_calls"
    by_name = {t["function"]["name"]: t for t in TOOLS}
    for call in calls:
        jsonschema.validate(json.loads(call.function.arguments), _schema(by_name[call.function.name]))


def test_named_function_is_called_with_extracted_arguments(tc):
    r = tc.chat.completions.create(
        model=CHAT,
        messages=[{"role": "user", "content": "How much is 100 US dollars in euros?"}],
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "convert_currency"}},
        temperature=0,
    )
    (call,) = r.choices[0].message.tool_calls
    args = json.loads(call.function.arguments)
    jsonschema.validate(args, _schema(CURRENCY))
    assert call.function.name == "convert_currency" and args["amount"] == 100
    assert args["from_currency"].upper() == "USD" and args["to_currency"].upper() == "EUR"


def test_none_answers_in_text(tc):
    r = tc.chat.completions.create(model=CHAT, messages=PARIS, tools=TOOLS, tool_choice="none", temperature=0, max_tokens=40)
    msg = r.choices[0].message
    assert msg.tool_calls is None and msg.content and "get_weather" not in msg.content
    assert r.choices[0].finish_reason in ("stop", "length")


def test_parallel_tool_calls_false_gives_one_call(tc):
    """The 0.5B model rarely makes two calls on its own (it writes {"city": "Paris", "city": "Tokyo"});
    what the server guarantees is the limit: with parallel_tool_calls=false, never more than one."""
    question = [{"role": "user", "content": "What's the weather in Paris and in Tokyo?"}]
    many = tc.chat.completions.create(model=CHAT, messages=question, tools=[WEATHER], tool_choice="required", temperature=0)
    calls = many.choices[0].message.tool_calls
    assert calls and len({c.id for c in calls}) == len(calls)
    one = tc.chat.completions.create(model=CHAT, messages=question, tools=[WEATHER], tool_choice="required", parallel_tool_calls=False, temperature=0)
    assert len(one.choices[0].message.tool_calls) == 1


def test_several_calls_in_one_answer_are_all_read():
    """Parallel calls as the template teaches them: each in its own tags, each with its own id."""
    from helpers.local.tools.parsing import parse

    text = (
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>'
    )
    content, calls = parse(text, {"get_weather"})
    assert content is None and [json.loads(c.arguments)["city"] for c in calls] == ["Paris", "Tokyo"]
    assert calls[0].id != calls[1].id and all(c.id.startswith("call_") for c in calls)


@pytest.mark.parametrize(
    "text", ['{"name": "get_weather", "arguments": {"city": ', '```json\n{"name": "book_flight", "arguments": {}}\n```', "<tool_call>\nnot json\n</tool_call>"]
)
def test_a_malformed_attempt_stays_text(text):
    from helpers.local.tools.parsing import parse

    assert parse(text, {"get_weather"}) == (text, [])


def test_a_question_that_needs_no_tool_gets_text(tc):
    r = tc.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Write one sentence about spring."}], tools=TOOLS, temperature=0, max_tokens=60
    )
    assert r.choices[0].message.tool_calls is None and r.choices[0].message.content


def test_stream_deltas_as_the_api_streams_them(tool_server):
    chunks = sse_events(
        tool_server, "/chat/completions", {"model": CHAT, "messages": PARIS, "tools": TOOLS, "temperature": 0, "stream_options": {"include_usage": True}}
    )
    parsed = [assert_exact(ChatCompletionChunk, c) for c in chunks]
    call_deltas = [tc for p in parsed for ch in p.choices for tc in ch.delta.tool_calls or []]
    first, rest = call_deltas[0], call_deltas[1:]
    assert first.index == 0 and first.id.startswith("call_") and first.type == "function"
    assert first.function.name == "get_weather" and first.function.arguments == ""
    assert rest and all(d.id is None and d.function.name is None and d.function.arguments for d in rest)
    assert json.loads("".join(d.function.arguments for d in rest))["city"].casefold() == "paris"
    finals = [ch.finish_reason for p in parsed for ch in p.choices if ch.finish_reason]
    assert finals == ["tool_calls"]
    assert parsed[-1].choices == [] and parsed[-1].usage.completion_tokens > 0


def test_sdk_stream_helper_emits_tool_call_events(tc):
    tool = openai.pydantic_function_tool(GetWeather, name="get_weather")
    with tc.chat.completions.stream(model=CHAT, messages=PARIS, tools=[tool], temperature=0) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_completion()
    assert "tool_calls.function.arguments.delta" in kinds and "tool_calls.function.arguments.done" in kinds
    parsed = final.choices[0].message.tool_calls[0].function.parsed_arguments
    assert isinstance(parsed, GetWeather) and parsed.city.casefold() == "paris"


def test_parse_returns_parsed_arguments(tc):
    tool = openai.pydantic_function_tool(GetWeather, name="get_weather")
    r = tc.chat.completions.parse(
        model=CHAT, messages=[{"role": "user", "content": "东京现在天气怎么样？"}], tools=[tool], tool_choice="required", temperature=0
    )
    parsed = r.choices[0].message.tool_calls[0].function.parsed_arguments
    assert isinstance(parsed, GetWeather) and parsed.city in ("东京", "Tokyo")


def test_round_trip_uses_the_tool_result(tc):
    first = tc.chat.completions.create(model=CHAT, messages=PARIS, tools=TOOLS, temperature=0)
    call = first.choices[0].message.tool_calls[0]
    messages = [
        *PARIS,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"city": "Paris", "temperature_c": 17, "sky": "rain"})},
    ]
    r = tc.chat.completions.create(model=CHAT, messages=messages, tools=TOOLS, temperature=0, max_tokens=60)
    text = r.choices[0].message.content
    assert r.choices[0].message.tool_calls is None and ("17" in text or "rain" in text.lower())


def test_deprecated_functions_and_function_call(tc):
    fn = WEATHER["function"]
    functions = [{"name": fn["name"], "description": fn["description"], "parameters": fn["parameters"]}]
    r = tc.chat.completions.create(model=CHAT, messages=PARIS, functions=functions, function_call={"name": "get_weather"}, temperature=0)
    msg = r.choices[0].message
    assert r.choices[0].finish_reason == "function_call" and msg.tool_calls is None
    assert msg.function_call.name == "get_weather" and json.loads(msg.function_call.arguments)["city"].casefold() == "paris"
    follow = tc.chat.completions.create(
        model=CHAT,
        functions=functions,
        temperature=0,
        max_tokens=60,
        messages=[
            *PARIS,
            {"role": "assistant", "content": None, "function_call": msg.function_call.model_dump()},
            {"role": "function", "name": "get_weather", "content": "Sunny, 24 C"},
        ],
    )
    assert "24" in follow.choices[0].message.content
