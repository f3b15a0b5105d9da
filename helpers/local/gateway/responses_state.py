"""Responses state in gateway mode: kept by the class server, the engine asked statelessly.

The Responses API is stateful: `store` (on by default) keeps a response for
`GET/DELETE /v1/responses/{id}` and `input_items`, `previous_response_id` continues
a stored response, `conversation` continues a conversation. In gateway mode the
class server keeps all of that, exactly as it does offline, and sends the engine a
self-contained request (`store: false`, the conversation so far replayed as input
items, no `previous_response_id` or `conversation`). Why not leave it to the engine:

- every request reaches the engine with the teacher's one key, so an engine's store
  would let any student read or continue any other student's response by its id;
  the class server's store is per student key, like the API's per project;
- with several upstreams the next turn may go to another engine than the last;
- engines differ: Ollama's Responses API is stateless only, vLLM keeps responses in
  memory only when told to, many providers have none; a stateless request works on all;
- a provider keeps nothing of the students' work in the teacher's account.

The engine therefore needs only a stateless `/v1/responses`. The response the
student gets echoes their own `previous_response_id` and `conversation`, as the API's does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..responses_api import conversation_id, input_messages, items_from_input, messages_from_items
from ..routes.responses import conversation_so_far

STATE_FIELDS = ("store", "previous_response_id", "conversation")  # answered here, never sent upstream


@dataclass
class Turn:
    """One Responses request: what the student sent and the conversation before it."""

    body: dict[str, Any]
    history: list[dict[str, Any]]  # chat messages, as the offline server keeps them

    def upstream_input(self) -> str | list[dict[str, Any]]:
        """The conversation so far replayed as input items, then this input."""
        current = self.body["input"]
        if not self.history:
            return current
        now = [{"role": "user", "content": current}] if isinstance(current, str) else list(current)
        return replayed(self.history) + now

    def prompt_text(self) -> str:
        """What admission and the token estimate count: the whole input the engine will read."""
        return json.dumps(self.upstream_input(), ensure_ascii=False)

    def upstream_body(self, out: dict[str, Any]) -> dict[str, Any]:
        stateless = {k: v for k, v in out.items() if k not in STATE_FIELDS}
        stateless["input"] = self.upstream_input()
        stateless["store"] = False
        return stateless

    def restore(self, response: dict[str, Any]) -> dict[str, Any]:
        """The student's own state fields back into a Response the engine made without them."""
        response["previous_response_id"] = self.body.get("previous_response_id")
        cid = conversation_id(self.body)
        response["conversation"] = {"id": cid} if cid else None
        return response

    def keep(self, state, who: str, response: dict[str, Any]) -> None:
        """Store as the offline server does (blocking: run it in a worker thread). Input and
        output join the conversation, stored or not; `store` defaults to true."""
        items = items_from_input(self.body["input"])
        cid = conversation_id(self.body)
        if cid:
            state.conversations.add_items(who, cid, items + response.get("output", []))
        if self.body.get("store", True):
            history = self.history + input_messages(self.body) + messages_from_items(response.get("output", []))
            state.responses.put(who, response, items, history)


def begin(state, who: str, body: dict[str, Any]) -> Turn:
    """The conversation so far, or the API's error for an unknown, foreign or expired
    `previous_response_id` / `conversation` (blocking: run it in a worker thread)."""
    return Turn(body, conversation_so_far(state, who, body))


def replayed(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages as the Responses API's input items (a tool call and its result too)."""
    items: list[dict[str, Any]] = []
    for m in history:
        if m.get("role") == "tool":
            items.append({"type": "function_call_output", "call_id": m.get("tool_call_id"), "output": _text(m.get("content"))})
            continue
        text = _text(m.get("content"))
        if text or not m.get("tool_calls"):
            items.append({"role": m["role"], "content": text})
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            items.append({"type": "function_call", "call_id": call.get("id"), "name": fn.get("name"), "arguments": fn.get("arguments", "")})
    return items


def _text(content: Any) -> str:
    if isinstance(content, str) or content is None:
        return content or ""
    return "\n".join(p.get("text") or p.get("refusal") or "" for p in content if isinstance(p, dict))
