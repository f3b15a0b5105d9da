"""Function calling in the Responses API: items, the round trip, the event stream, `responses.parse`."""

from __future__ import annotations

import json

import openai
import pytest
from openai.lib._tools import pydantic_responses_function_tool
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter
from tools_support import CHAT, WEATHER, assert_exact, raw_post, sse_events

TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": WEATHER["function"]["description"],
    "parameters": WEATHER["function"]["parameters"],
    "strict": True,
}
QUESTION = "What's the weather in Paris right now?"
EVENT = TypeAdapter(ResponseStreamEvent)


class GetWeather(BaseModel):
    city: str


@pytest.fixture(scope="module")
def tc(tool_server):
    return openai.OpenAI(base_url=tool_server.base_url, api_key="test", max_retries=0, timeout=300)


def test_function_call_item_has_the_api_shape(tool_server):
    r = raw_post(tool_server, "/responses", {"model": CHAT, "input": QUESTION, "tools": [TOOL], "temperature": 0})
    assert r.status_code == 200, r.text
    resp = assert_exact(Response, r.json())
    assert resp.status == "completed" and resp.tools[0].name == "get_weather" and resp.tool_choice == "auto"
    (item,) = resp.output
    assert item.type == "function_call" and item.id.startswith("fc_") and item.call_id.startswith("call_")
    assert item.status == "completed" and item.name == "get_weather"
    assert json.loads(item.arguments)["city"].casefold() == "paris"
    assert resp.usage.output_tokens > 0


def test_function_call_output_continues_the_conversation(tc):
    first = tc.responses.create(model=CHAT, input=QUESTION, tools=[TOOL], temperature=0)
    call = first.output[-1]
    follow = tc.responses.create(
        model=CHAT,
        tools=[TOOL],
        temperature=0,
        max_output_tokens=60,
        input=[
            {"role": "user", "content": QUESTION},
            call.model_dump(exclude_none=True),
            {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"temperature_c": 19, "sky": "cloudy"})},
        ],
    )
    text = follow.output_text
    assert follow.output[0].type == "message" and ("19" in text or "cloud" in text.lower())


def test_function_call_output_continues_a_stored_response(tc):
    """With `previous_response_id` the learner sends only the tool's result: the server
    replays the stored question and call, as the API does."""
    first = tc.responses.create(model=CHAT, input=QUESTION, tools=[TOOL], tool_choice="required", temperature=0)
    call = first.output[-1]
    assert call.type == "function_call"
    follow = tc.responses.create(
        model=CHAT,
        previous_response_id=first.id,
        tools=[TOOL],
        temperature=0,
        max_output_tokens=60,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"temperature_c": 19, "sky": "cloudy"})}],
    )
    assert follow.previous_response_id == first.id
    text = follow.output_text
    assert follow.output[0].type == "message" and ("19" in text or "cloud" in text.lower()), text


def test_required_and_named_tool_choice(tc):
    r = tc.responses.create(model=CHAT, input="Tell me a joke.", tools=[TOOL], temperature=0, tool_choice={"type": "function", "name": "get_weather"})
    assert r.output[-1].type == "function_call" and r.output[-1].name == "get_weather"
    assert set(json.loads(r.output[-1].arguments)) == {"city"}


def test_stream_events_in_the_api_order(tool_server):
    events = sse_events(tool_server, "/responses", {"model": CHAT, "input": QUESTION, "tools": [TOOL], "temperature": 0})
    parsed = [EVENT.validate_python(e) for e in events]
    for p, raw in zip(parsed, events):
        assert_exact(type(p), raw)
    kinds = [e.type for e in parsed]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-3:] == ["response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    assert set(kinds[3:-3]) == {"response.function_call_arguments.delta"}
    assert [e.sequence_number for e in parsed] == list(range(len(parsed)))
    added, done = parsed[2], parsed[-2]
    assert added.item.type == "function_call" and added.item.arguments == "" and added.item.status == "in_progress"
    deltas = "".join(e.delta for e in parsed if e.type == "response.function_call_arguments.delta")
    assert deltas == parsed[-3].arguments == done.item.arguments
    assert {e.item_id for e in parsed if hasattr(e, "item_id")} == {added.item.id} == {done.item.id}
    assert {e.output_index for e in parsed if hasattr(e, "output_index")} == {0}
    assert parsed[-1].response.output[0].call_id == added.item.call_id


def test_responses_parse_with_a_pydantic_tool(tc):
    tool = pydantic_responses_function_tool(GetWeather, name="get_weather", description="Get the current weather in a city.")
    r = tc.responses.parse(model=CHAT, input="上海现在天气怎么样？", tools=[tool], tool_choice="required", temperature=0)
    parsed = r.output[-1].parsed_arguments
    assert isinstance(parsed, GetWeather) and parsed.city in ("上海", "Shanghai")
