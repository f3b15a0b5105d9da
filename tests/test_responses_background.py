"""Background responses through the real SDK: queued at once, polled to the end, cancelled, per key."""

from __future__ import annotations

import time

import openai
import pytest
from contract import assert_exact
from openai.types.responses import Response

from conftest import CHAT

LONG = "Count from 1 to 300, one number per line, nothing else."


def raw_response(client, rid: str) -> dict:
    """The JSON the server sent for a retrieve, checked against the SDK's Response type."""
    raw = client.responses.with_raw_response.retrieve(rid).http_response.json()
    assert_exact(Response, raw)
    return raw


def poll(client, rid: str) -> tuple[Response, list[str]]:
    """The learner's loop from the API's background guide (pytest-timeout ends a hang)."""
    seen = []
    while True:
        raw = raw_response(client, rid)
        seen.append(raw["status"])
        if raw["status"] not in ("queued", "in_progress"):
            return client.responses.retrieve(rid), seen
        time.sleep(0.2)


def test_background_answers_at_once_and_is_polled_to_completion(client):
    created = client.responses.with_raw_response.create(model=CHAT, input="Say hello in one word.", max_output_tokens=16, background=True)
    first = created.http_response.json()
    assert_exact(Response, first)
    assert first["status"] in ("queued", "in_progress") and first["background"] is True
    assert first["output"] == [] and first["usage"] is None
    final, seen = poll(client, first["id"])
    assert set(seen) <= {"queued", "in_progress", "completed"}
    assert final.status == "completed" and final.id == first["id"] and final.background is True
    assert final.output_text.strip() and final.usage.output_tokens > 0
    # A finished background response: cancelling it returns it unchanged (the API's idempotent cancel).
    again = client.responses.with_raw_response.cancel(final.id).http_response.json()
    assert_exact(Response, again)
    assert again["status"] == "completed" and again["output"][0]["content"][0]["text"] == final.output_text


def test_cancel_stops_a_running_response_and_repeats_idempotently(client):
    r = client.responses.create(model=CHAT, input=LONG, max_output_tokens=600, background=True)
    raw = client.responses.with_raw_response.cancel(r.id).http_response.json()
    assert_exact(Response, raw)
    assert raw["id"] == r.id and raw["status"] == "cancelled" and raw["background"] is True
    assert client.responses.cancel(r.id).status == "cancelled"
    assert raw_response(client, r.id)["status"] == "cancelled"


def test_only_background_responses_can_be_cancelled(client):
    r = client.responses.create(model=CHAT, input="Hi.", max_output_tokens=16)
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.cancel(r.id)
    assert "Cannot cancel a synchronous response" in e.value.message
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel("resp_does_not_exist")


def test_background_needs_store_and_is_not_streamed_offline(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(model=CHAT, input="Hi.", background=True, store=False)
    assert e.value.param == "background" and e.value.code == "invalid_value"
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(model=CHAT, input="Hi.", background=True, stream=True)
    assert e.value.param == "stream"


def test_each_key_sees_and_cancels_only_its_own(keyed_server):
    one = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-one-0001", max_retries=0)
    two = openai.OpenAI(base_url=keyed_server.base_url, api_key="sk-student-two-0002", max_retries=0)
    r = one.responses.create(model=CHAT, input=LONG, max_output_tokens=600, background=True)
    with pytest.raises(openai.NotFoundError):
        two.responses.retrieve(r.id)
    with pytest.raises(openai.NotFoundError):
        two.responses.cancel(r.id)
    assert one.responses.cancel(r.id).status == "cancelled"


def test_deleting_a_running_response_stops_it(client):
    r = client.responses.create(model=CHAT, input=LONG, max_output_tokens=600, background=True)
    assert client.responses.delete(r.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel(r.id)
