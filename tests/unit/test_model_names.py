"""Model names on their own: the SDK's chat names and their snapshots are aliases of the local model."""

from __future__ import annotations

import typing

import pytest
from openai.types.shared.chat_model import ChatModel

from helpers.local.errors import APIError
from helpers.local.models import ModelRegistry, family_of

REGISTRY = ModelRegistry("qwen2.5-coder-0.5b-instruct-q4_k_m", "universal-sentence-encoder-multilingual")
SDK_CHAT_NAMES = [n for n in typing.get_args(ChatModel) if "audio" not in n]


def test_every_chat_name_of_the_installed_sdk_is_served_by_the_local_model():
    assert len(SDK_CHAT_NAMES) > 30
    for name in SDK_CHAT_NAMES:
        assert REGISTRY.resolve(name, "chat") is REGISTRY.chat, name
        assert REGISTRY.resolve(name, "responses") is REGISTRY.chat, name


@pytest.mark.parametrize(
    "name", ["gpt-4o-mini-2024-07-18", "gpt-4-1106-preview", "gpt-4-0125-preview", "gpt-4-0613", "gpt-3.5-turbo-0125", "gpt-4.1-mini-2025-04-14"]
)
def test_dated_snapshots_are_accepted(name):
    assert REGISTRY.resolve(name, "chat") is REGISTRY.chat


def test_family_of_strips_only_a_date():
    assert family_of("gpt-4o-mini-2024-07-18") == "gpt-4o-mini"
    assert family_of("gpt-4-0613") == "gpt-4"
    assert family_of("gpt-4o-mini") == "gpt-4o-mini"


def test_each_endpoint_takes_only_its_kind_of_model():
    assert REGISTRY.resolve("text-embedding-3-small", "embeddings") is REGISTRY.embedding
    assert REGISTRY.resolve("gpt-3.5-turbo-instruct", "completions") is REGISTRY.chat
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("gpt-4o-mini", "embeddings")
    assert (e.value.status, e.value.param) == (400, "model")
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("text-embedding-3-small", "chat")
    assert e.value.status == 400 and "is an embedding model" in e.value.message
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("gpt-4o-mini", "completions")
    assert (e.value.status, e.value.code) == (404, "model_not_found") and "v1/chat/completions" in e.value.message
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("gpt-3.5-turbo-instruct", "chat")
    assert e.value.status == 404 and "Did you mean to use v1/completions?" in e.value.message


def test_unknown_and_real_api_only_names_are_404():
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("gpt-99", "chat")
    assert e.value.message.startswith("The model `gpt-99` does not exist or you do not have access to it.")
    with pytest.raises(APIError) as e:
        REGISTRY.resolve("dall-e-3", "chat")
    assert e.value.code == "model_not_found" and "no image, audio or moderation models" in e.value.message


def test_model_objects_have_exactly_the_apis_fields():
    objs = REGISTRY.model_objects()
    assert all(set(o) == {"id", "object", "created", "owned_by"} for o in objs)
    by_id = {o["id"]: o for o in objs}
    assert by_id["gpt-4o-mini"]["owned_by"] == "local-alias"
    assert by_id["qwen2.5-coder-0.5b-instruct-q4_k_m"]["owned_by"] == "local"
    assert set(SDK_CHAT_NAMES) <= set(by_id)
