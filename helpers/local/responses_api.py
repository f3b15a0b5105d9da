"""The Responses API (`POST /v1/responses`) in its basic text form.

Today's official quickstart calls `client.responses.create(...).output_text`.
Offline, a response is a chat completion underneath: `instructions` becomes a
developer message, `input` the conversation, and the answer is reshaped into a
Response object (or its stream of `response.*` events).
"""

from __future__ import annotations

import time
from typing import Any

from .planning import new_id
from .tools.responses_items import CallEvents, call_items_to_messages, chat_tool_fields, function_call_input_item, output_items


def input_messages(body: dict[str, Any], history: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The request's `input` as chat messages (validated by specs_responses.check_input: message items only)."""
    inp = body["input"]
    if isinstance(inp, str):
        return [{"role": "user", "content": inp}]
    messages: list[dict[str, Any]] = []
    for i, item in enumerate(inp):
        if item.get("type") in ("function_call", "function_call_output"):
            call_items_to_messages([(i, item)], messages, prior=history)
            continue
        content = item["content"]
        if isinstance(content, list):
            content = [{"type": "text", "text": part["text"]} if part.get("type") in ("input_text", "output_text", "text") else part for part in content]
        messages.append({"role": item["role"], "content": content})
    return messages


def items_from_input(value: Any) -> list[dict[str, Any]]:
    """An `input` (or a conversation's `items`) as the API's stored items, each with its own id."""
    raw = value if isinstance(value, list) else [{"role": "user", "content": value}]
    items = []
    for item in raw:
        if item.get("type") in ("function_call", "function_call_output"):
            items.append(function_call_input_item(item))
            continue
        content = input_messages({"input": [item]})[0]["content"]
        texts = [content] if isinstance(content, str) else [p.get("text") or p.get("refusal") or "" for p in content]
        if item["role"] == "assistant":
            parts = [{"type": "output_text", "text": t, "annotations": [], "logprobs": []} for t in texts]
        else:
            parts = [{"type": "input_text", "text": t} for t in texts]
        items.append({"id": new_id("msg", "_"), "type": "message", "role": item["role"], "status": "completed", "content": parts})
    return items


def messages_from_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored items (a conversation) as chat messages: the conversation so far, tool calls and their results included."""
    out: list[dict[str, Any]] = []
    for item in items:
        if item.get("type") == "message":
            text = "\n".join(p.get("text") or p.get("refusal") or "" for p in item.get("content") or [])
            out.append({"role": item["role"], "content": text})
        elif item.get("type") in ("function_call", "function_call_output"):
            call_items_to_messages([(0, item)], out)
    return out


def conversation_id(body: dict[str, Any]) -> str | None:
    """`conversation` is an id or {"id": ...}."""
    conv = body.get("conversation")
    return conv if isinstance(conv, str) or conv is None else conv["id"]


def to_chat_body(body: dict[str, Any], history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A chat request for this response: its own instructions (never the previous response's),
    the conversation so far (`previous_response_id`), then this input."""
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "developer", "content": body["instructions"]})
    messages += (history or []) + input_messages(body, history)
    chat: dict[str, Any] = {"model": body.get("model"), "messages": messages, **chat_tool_fields(body)}
    for key in ("temperature", "top_p", "stream"):
        if key in body:
            chat[key] = body[key]
    if "max_output_tokens" in body:
        chat["max_tokens"] = body["max_output_tokens"]
    fmt = (body.get("text") or {}).get("format") or {"type": "text"}
    if fmt.get("type") == "json_schema":
        chat["response_format"] = {"type": "json_schema", "json_schema": {"name": fmt.get("name", "output"), "schema": fmt.get("schema") or {}}}
    elif fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    return chat


def _echo_tool(tool: Any) -> Any:
    """A function tool as the API echoes it: `strict` defaults to true in the Responses API."""
    if isinstance(tool, dict) and tool.get("type") == "function":
        return {
            "type": "function",
            "name": tool.get("name"),
            "description": tool.get("description"),
            "parameters": tool.get("parameters"),
            "strict": tool.get("strict", True),
        }
    return tool


def _skeleton(body: dict[str, Any], resp_id: str, model_id: str, created: int) -> dict[str, Any]:
    """The Response before any output, echoing the request's settings as the API does."""
    return {
        "id": resp_id,
        "object": "response",
        "created_at": created,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": model_id,
        "output": [],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "temperature": body.get("temperature", 1.0),
        "text": {"format": (body.get("text") or {}).get("format") or {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": [_echo_tool(t) for t in body.get("tools") or []],
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "background": bool(body.get("background")),
        "service_tier": "default",
        "prompt_cache_key": body.get("prompt_cache_key"),
        "safety_identifier": body.get("safety_identifier"),
        "usage": None,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
        "conversation": {"id": conversation_id(body)} if body.get("conversation") else None,
    }


def _message_item(msg_id: str, text: str, status: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": msg_id,
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def _usage(chat_usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "input_tokens": chat_usage.get("prompt_tokens", 0),
        "input_tokens_details": {"cached_tokens": (chat_usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0), "cache_write_tokens": 0},
        "output_tokens": chat_usage.get("completion_tokens", 0),
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": chat_usage.get("total_tokens", 0),
    }


def _finish(resp: dict[str, Any], finish_reason: str | None) -> None:
    if finish_reason == "length":
        resp["status"] = "incomplete"
        resp["incomplete_details"] = {"reason": "max_output_tokens"}
    else:
        resp["status"] = "completed"


def from_chat(body: dict[str, Any], completion: dict[str, Any]) -> dict[str, Any]:
    resp = _skeleton(body, new_id("resp", "_"), completion["model"], completion["created"])
    choice = completion["choices"][0]
    _finish(resp, choice.get("finish_reason"))
    item_status = "incomplete" if resp["status"] == "incomplete" else "completed"
    resp["output"] = output_items(choice["message"], lambda text: _message_item(new_id("msg", "_"), text, item_status))
    resp["usage"] = _usage(completion["usage"])
    return resp


class ResponseEvents:
    """Turns a stream of chat chunks into the Responses API's event stream.

    Items are opened as the answer shows what it is: a message item at the first
    text, a function_call item at each tool call; each is closed before the next opens."""

    def __init__(self, body: dict[str, Any], model_id: str):
        self.resp = _skeleton(body, new_id("resp", "_"), model_id, int(time.time()))
        self.msg_id = new_id("msg", "_")
        self.msg_index: int | None = None
        self.text: list[str] = []
        self.items: list[tuple[int, dict[str, Any]]] = []
        self.seq = 0
        self.finish_reason: str | None = None
        self.calls = CallEvents(self._event)

    def _event(self, kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
        ev = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return kind, ev

    def start(self) -> list[tuple[str, dict[str, Any]]]:
        import copy

        snap = copy.deepcopy(self.resp)
        return [self._event("response.created", response=snap), self._event("response.in_progress", response=snap)]

    def _open_message(self) -> list[tuple[str, dict[str, Any]]]:
        self.msg_index = len(self.items) + len(self.calls.items)
        return [
            self._event("response.output_item.added", output_index=self.msg_index, item={**_message_item(self.msg_id, "", "in_progress"), "content": []}),
            self._event(
                "response.content_part.added",
                item_id=self.msg_id,
                output_index=self.msg_index,
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": [], "logprobs": []},
            ),
        ]

    def _close_message(self, status: str) -> list[tuple[str, dict[str, Any]]]:
        if self.msg_index is None or any(i == self.msg_index for i, _ in self.items):
            return []
        text = "".join(self.text)
        item = _message_item(self.msg_id, text, status)
        self.items.append((self.msg_index, item))
        return [
            self._event("response.output_text.done", item_id=self.msg_id, output_index=self.msg_index, content_index=0, text=text, logprobs=[]),
            self._event("response.content_part.done", item_id=self.msg_id, output_index=self.msg_index, content_index=0, part=item["content"][0]),
            self._event("response.output_item.done", output_index=self.msg_index, item=item),
        ]

    def on_chunk(self, chunk: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for c in chunk.get("choices", []):
            delta = c.get("delta") or {}
            if delta.get("content"):
                if self.msg_index is None:
                    out.extend(self._open_message())
                self.text.append(delta["content"])
                out.append(
                    self._event(
                        "response.output_text.delta", item_id=self.msg_id, output_index=self.msg_index, content_index=0, delta=delta["content"], logprobs=[]
                    )
                )
            if delta.get("tool_calls"):
                out.extend(self._close_message("completed"))
                out.extend(self.calls.on_delta(delta["tool_calls"], len(self.items)))
            if c.get("finish_reason"):
                self.finish_reason = c["finish_reason"]
        return out

    def finish(self, chat_usage: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        _finish(self.resp, self.finish_reason)
        status = "incomplete" if self.resp["status"] == "incomplete" else "completed"
        out = []
        if self.msg_index is None and not self.calls.items and not self.calls.open:
            out.extend(self._open_message())  # an empty answer is still one (empty) message
        out.extend(self._close_message(status))
        out.extend(self.calls.close())
        self.resp["output"] = [item for _, item in sorted(self.items + self.calls.items, key=lambda p: p[0])]
        self.resp["usage"] = _usage(chat_usage)
        final = "response.incomplete" if status == "incomplete" else "response.completed"
        out.append(self._event(final, response=self.resp))
        return out
