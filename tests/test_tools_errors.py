"""Client mistakes with tools get the API's 400s (status, type, param, code), never a 500."""

from __future__ import annotations

import openai
import pytest
from tools_support import CHAT, TOOLS, WEATHER

USER = [{"role": "user", "content": "Weather in Paris?"}]
CALL = {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}


@pytest.fixture(scope="module")
def tc(tool_server):
    return openai.OpenAI(base_url=tool_server.base_url, api_key="test", max_retries=0, timeout=300)


def _error(fn, **kwargs) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as info:
        fn(**kwargs)
    err = info.value.body
    assert info.value.status_code == 400 and err["type"] == "invalid_request_error"
    assert " / " in err["message"]  # English, then Chinese
    return info.value


def _chat(tc, **kwargs):
    return _error(tc.chat.completions.create, model=CHAT, max_tokens=5, **kwargs).body


def _fn(**changes):
    return {"type": "function", "function": {**WEATHER["function"], **changes}}


def test_tool_message_that_answers_nothing(tc):
    err = _chat(tc, messages=[*USER, {"role": "tool", "tool_call_id": "call_x", "content": "Sunny"}])
    assert err["param"] == "messages.[1].role" and err["code"] is None
    assert "must be a response to a preceeding message with 'tool_calls'" in err["message"]


def test_unanswered_tool_calls(tc):
    err = _chat(tc, messages=[*USER, {"role": "assistant", "content": None, "tool_calls": [CALL]}, {"role": "user", "content": "Well?"}])
    assert "call_abc" in err["message"] and err["param"] == "messages.[1].role"


def test_tool_choice_names_a_missing_function(tc):
    err = _chat(tc, messages=USER, tools=TOOLS, tool_choice={"type": "function", "function": {"name": "book_flight"}})
    assert err["param"] == "tool_choice" and "book_flight" in err["message"]


def test_tool_choice_without_tools(tc):
    err = _chat(tc, messages=USER, tool_choice="required")
    assert err["param"] == "tool_choice" and "only allowed when 'tools' are specified" in err["message"]


@pytest.mark.parametrize("name", ["get weather", "天气", "x" * 65])
def test_invalid_function_name(tc, name):
    err = _chat(tc, messages=USER, tools=[_fn(name=name)])
    assert err["param"] == "tools[0].function.name"
    assert err["code"] in ("invalid_value", "string_above_max_length")


@pytest.mark.parametrize(
    "parameters",
    [
        {"type": "object", "properties": []},
        {"type": "string"},
        {"type": "object", "properties": {"city": {"type": "town"}}},
    ],
)
def test_invalid_parameters_schema(tc, parameters):
    err = _chat(tc, messages=USER, tools=[_fn(parameters=parameters, strict=False)])
    assert err["param"] == "tools[0].function.parameters" and err["code"] == "invalid_function_parameters"
    assert err["message"].startswith("Invalid schema for function 'get_weather':")


def test_strict_schema_must_close_every_object(tc):
    loose = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    err = _chat(tc, messages=USER, tools=[_fn(parameters=loose, strict=True)])
    assert err["code"] == "invalid_function_parameters" and "additionalProperties" in err["message"]


@pytest.mark.parametrize("kind", ["web_search", "file_search", "code_interpreter"])
def test_hosted_tools_need_the_real_api(tc, kind):
    err = _chat(tc, messages=USER, tools=[{"type": kind}])
    assert err["param"] == "tools[0].type" and "OPENAI_API_KEY" in err["message"]


@pytest.mark.parametrize("kind", ["web_search", "file_search", "code_interpreter"])
def test_hosted_tools_on_responses_need_the_real_api(tc, kind):
    e = _error(tc.responses.create, model=CHAT, input="Search the web for news.", tools=[{"type": kind}])
    assert e.body["param"] == "tools[0].type" and "OPENAI_API_KEY" in e.body["message"]


def test_function_call_output_for_an_unknown_call(tc):
    e = _error(
        tc.responses.create, model=CHAT, input=[{"role": "user", "content": "Hi"}, {"type": "function_call_output", "call_id": "call_nope", "output": "42"}]
    )
    assert "call_nope" in e.body["message"] and e.body["param"] == "input"


def test_responses_tool_choice_names_a_missing_function(tc):
    tool = {"type": "function", "name": "get_weather", "parameters": WEATHER["function"]["parameters"]}
    e = _error(tc.responses.create, model=CHAT, input="Hi", tools=[tool], tool_choice={"type": "function", "name": "nope"})
    assert e.body["param"] == "tool_choice"
