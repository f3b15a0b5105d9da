"""Chat completions through the real SDK against the real offline server."""
from __future__ import annotations

import asyncio
import json

import pytest

from conftest import CHAT

HELLO = [{"role": "user", "content": "Say hello in one short sentence."}]


def test_basic_chat_shape(client, server):
    r = client.chat.completions.create(model=CHAT, messages=[{"role": "developer", "content": "You are a friendly assistant."}, *HELLO], max_tokens=20)
    assert r.object == "chat.completion"
    assert r.id.startswith("chatcmpl-")
    assert r.model == server.wait_healthy()["chat_model"]  # names the local model actually used
    msg = r.choices[0].message
    assert msg.role == "assistant" and isinstance(msg.content, str) and msg.content.strip()
    assert r.choices[0].finish_reason in ("stop", "length")
    u = r.usage
    assert u.prompt_tokens > 5 and 0 < u.completion_tokens <= 20
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens


@pytest.mark.parametrize("role", ["system", "developer"])
def test_instruction_roles_and_text_parts(client, role):
    r = client.chat.completions.create(model=CHAT, max_tokens=8, messages=[
        {"role": role, "content": [{"type": "text", "text": "Answer briefly."}]},
        {"role": "user", "content": [{"type": "text", "text": "What is 2+2?"}]},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3?"},
    ])
    assert r.choices[0].message.content


def test_tool_role_message_accepted(client):
    r = client.chat.completions.create(model=CHAT, max_tokens=8, messages=[
        {"role": "user", "content": "What is the weather?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 20 C"},
    ])
    assert r.choices[0].message.content is not None


def test_max_tokens_gives_length_and_exact_count(client):
    r = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Write a long story about a dragon."}], max_tokens=5)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 5
    r2 = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Write a long story about a dragon."}], max_completion_tokens=7)
    assert r2.choices[0].finish_reason == "length" and r2.usage.completion_tokens == 7


def test_prompt_tokens_grow_with_prompt(client):
    short = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Hi"}], max_tokens=1)
    long = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Hi " * 50}], max_tokens=1)
    assert long.usage.prompt_tokens >= short.usage.prompt_tokens + 45


def test_stop_sequence(client):
    r = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Count from 1 to 10 separated by commas."}],
                                       stop=[","], max_tokens=40, temperature=0)
    assert r.choices[0].finish_reason == "stop"
    assert "," not in r.choices[0].message.content


def test_seed_and_temperature_zero_are_reproducible(client):
    kw = dict(model=CHAT, messages=[{"role": "user", "content": "Name a fruit."}], max_tokens=12)
    a = client.chat.completions.create(seed=42, temperature=1.2, **kw).choices[0].message.content
    b = client.chat.completions.create(seed=42, temperature=1.2, **kw).choices[0].message.content
    assert a == b
    greedy = [client.chat.completions.create(temperature=0, **kw).choices[0].message.content for _ in range(2)]
    assert greedy[0] and greedy[0] == greedy[1]  # temperature 0: the same text every time
    extra = dict(temperature=0, top_p=0.5, presence_penalty=0.5, frequency_penalty=0.5, **kw)
    penalised = [client.chat.completions.create(**extra).choices[0].message.content for _ in range(2)]
    assert penalised[0] and penalised[0] == penalised[1]


def test_same_seed_same_text_when_the_prompt_is_cached(client):
    """The second request finds its prompt in llama.cpp's KV cache; the sample must not change."""
    kw = {"model": CHAT, "messages": [{"role": "user", "content": "Invent a name for a robot."}], "max_tokens": 15, "temperature": 1.0, "seed": 7}
    answers = [client.chat.completions.create(**kw).choices[0].message.content for _ in range(3)]
    assert answers[0] and answers.count(answers[0]) == 3, answers


def test_n_choices_each_counted(client):
    r = client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "Tell me a story."}], n=3, max_tokens=4, seed=1)
    assert [c.index for c in r.choices] == [0, 1, 2]
    assert r.usage.completion_tokens == 12  # every choice's tokens, not one's


def test_logprobs(client):
    r = client.chat.completions.create(model=CHAT, messages=HELLO, max_tokens=4, logprobs=True, top_logprobs=3)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens
    first = content[0]
    assert first.logprob <= 0 and isinstance(first.token, str) and isinstance(first.bytes, list)
    assert len(first.top_logprobs) == 3


def test_json_object_mode(client):
    r = client.chat.completions.create(model=CHAT, response_format={"type": "json_object"}, max_tokens=60, temperature=0,
                                       messages=[{"role": "user", "content": "Return a JSON object with a key 'color'."}])
    assert isinstance(json.loads(r.choices[0].message.content), dict)


def test_json_schema_output_parses_and_validates(client):
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer"},
                                               "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 3}},
              "required": ["name", "age", "tags"], "additionalProperties": False}
    r = client.chat.completions.create(model=CHAT, max_tokens=200, temperature=0,
                                       response_format={"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": schema}},
                                       messages=[{"role": "user", "content": "Describe a person."}])
    data = json.loads(r.choices[0].message.content)
    assert set(data) == {"name", "age", "tags"}
    assert isinstance(data["name"], str) and isinstance(data["age"], int) and all(isinstance(t, str) for t in data["tags"])


def test_sdk_parse_with_pydantic(client):
    from pydantic import BaseModel

    class City(BaseModel):
        city: str
        country: str

    r = client.chat.completions.parse(model=CHAT, messages=[{"role": "user", "content": "Name a city and its country."}],
                                      response_format=City, max_tokens=60, temperature=0)
    assert isinstance(r.choices[0].message.parsed, City)


def test_stream_chunks_and_usage(client):
    chunks = list(client.chat.completions.create(model=CHAT, messages=HELLO, max_tokens=10, stream=True,
                                                 stream_options={"include_usage": True}))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finals = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finals and finals[-1] in ("stop", "length") and text
    last = chunks[-1]
    assert last.choices == [] and last.usage.completion_tokens > 0 and last.usage.prompt_tokens > 0


def test_stream_without_usage_has_no_usage_chunk(client):
    chunks = list(client.chat.completions.create(model=CHAT, messages=HELLO, max_tokens=5, stream=True))
    assert all(c.usage is None for c in chunks) and all(c.choices for c in chunks)


def test_stream_with_n_two(client):
    count = [{"role": "user", "content": "Count from 1 to 100, separated by commas."}]
    chunks = list(client.chat.completions.create(model=CHAT, messages=count, max_tokens=4, n=2, stream=True,
                                                 stream_options={"include_usage": True}))
    indexes = {c.choices[0].index for c in chunks if c.choices}
    assert indexes == {0, 1}
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["length", "length"]
    assert chunks[-1].usage.completion_tokens == 8


async def test_async_client_and_eight_concurrent_requests(aclient):
    async def one(i: int):
        return await aclient.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": f"Say the number {i}."}], max_tokens=8)

    results = await asyncio.gather(*(one(i) for i in range(8)))
    assert len(results) == 8 and all(r.choices[0].message.content for r in results)


async def test_async_stream(aclient):
    stream = await aclient.chat.completions.create(model=CHAT, messages=HELLO, max_tokens=6, stream=True)
    parts = [c.choices[0].delta.content async for c in stream if c.choices and c.choices[0].delta.content]
    assert parts


def test_legacy_completions(client):
    r = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon a time")
    assert r.object == "text_completion" and r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 16  # the legacy default max_tokens
    e = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="The sky is", max_tokens=3, echo=True)
    assert e.choices[0].text.startswith("The sky is")
    batch = client.completions.create(model="davinci-002", prompt=["One", "Two"], max_tokens=2)
    assert [c.index for c in batch.choices] == [0, 1]
    chunks = list(client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Hello", max_tokens=4, stream=True))
    assert "".join(c.choices[0].text for c in chunks)


def test_chat_model_on_legacy_endpoint_is_404(client):
    import openai

    with pytest.raises(openai.NotFoundError) as e:
        client.completions.create(model=CHAT, prompt="Hi")
    assert "v1/chat/completions" in e.value.body["message"]


def test_conversation_may_end_with_assistant_messages(client):
    """The API answers with a new message; llama.cpp's prefill would have refused two in a row."""
    r = client.chat.completions.create(model=CHAT, max_tokens=4, messages=[
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello"}, {"role": "assistant", "content": "there"}])
    assert r.choices[0].message.role == "assistant"
