"""Function calling in the Responses API: its flat tool objects and `function_call` items.

Offline a response is a chat completion underneath, so this module translates
both ways: Responses tools, tool_choice and input items (`function_call`,
`function_call_output`) into chat fields and messages; chat `tool_calls` into
output items `{"type": "function_call", "id": "fc_…", "call_id": "call_…", ...}`
and, when streaming, into the API's event sequence for each item.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from .request import from_responses_body
from .validation import bad


def new_item_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(24)}"


def chat_tool_fields(body: dict[str, Any]) -> dict[str, Any]:
    """`tools`, `tool_choice`, `parallel_tool_calls` in chat-completions form (validated in Responses form)."""
    request = from_responses_body(body)
    if request is None:
        return {}
    out: dict[str, Any] = {"tools": [f.as_tool() for f in request.functions]}
    for f, raw in zip(out["tools"], body["tools"]):
        if raw.get("strict") is not None:
            f["function"]["strict"] = raw["strict"]
    if request.choice == "function":
        out["tool_choice"] = {"type": "function", "function": {"name": request.forced}}
    else:
        out["tool_choice"] = request.choice
    if body.get("parallel_tool_calls") is not None:
        out["parallel_tool_calls"] = body["parallel_tool_calls"]
    return out


def echo_tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The response's `tools`: each function as sent, with the API's defaults filled in."""
    return [
        {"type": "function", "name": t["name"], "description": t.get("description"), "parameters": t.get("parameters"), "strict": t.get("strict", True)}
        for t in body.get("tools") or []
        if isinstance(t, dict)
    ]


def call_items_to_messages(items: list[tuple[int, dict[str, Any]]], messages: list[dict[str, Any]], prior: list[dict[str, Any]] | None = None) -> None:
    """Append one `function_call` / `function_call_output` input item as chat messages."""
    for i, item in items:
        kind = item.get("type")
        if kind == "function_call":
            _need_strings(item, ("call_id", "name", "arguments"), f"input[{i}]")
            call = {"id": item["call_id"], "type": "function", "function": {"name": item["name"], "arguments": item["arguments"]}}
            last = messages[-1] if messages else None
            if last and last["role"] == "assistant" and last.get("tool_calls") and not _answered(messages, last):
                last["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            _need_strings(item, ("call_id",), f"input[{i}]")
            if not _has_call((prior or []) + messages, item["call_id"]):
                raise bad(
                    f"No tool call found for function call output with call_id {item['call_id']}.",
                    f"找不到 call_id 为 {item['call_id']} 的函数调用（function_call_output 必须回应前面的 function_call）。",
                    param="input",
                    code=None,
                )
            output = item.get("output")
            messages.append(
                {"role": "tool", "tool_call_id": item["call_id"], "content": output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)}
            )


def _need_strings(item: dict[str, Any], keys: tuple[str, ...], param: str) -> None:
    for key in keys:
        if not isinstance(item.get(key), str):
            raise bad(
                f"Missing required parameter: '{param}.{key}'.", f"缺少必需参数：'{param}.{key}'。", param=f"{param}.{key}", code="missing_required_parameter"
            )


def _answered(messages: list[dict[str, Any]], last: dict[str, Any]) -> bool:
    return messages[-1] is not last


def _has_call(messages: list[dict[str, Any]], call_id: str) -> bool:
    return any(c["id"] == call_id for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or [])


def function_call_item(item_id: str, call: dict[str, Any], status: str, arguments: str | None = None) -> dict[str, Any]:
    fn = call["function"]
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call["id"],
        "name": fn["name"],
        "arguments": fn["arguments"] if arguments is None else arguments,
        "status": status,
    }


def assistant_turn(output: list[dict[str, Any]]) -> dict[str, Any]:
    """A response's output as the assistant message a later `previous_response_id` continues from."""
    text = "".join(part["text"] for item in output for part in item.get("content", []) if part.get("type") == "output_text")
    calls = [
        {"id": i["call_id"], "type": "function", "function": {"name": i["name"], "arguments": i["arguments"]}}
        for i in output
        if i.get("type") == "function_call"
    ]
    return {"role": "assistant", "content": text or None, "tool_calls": calls} if calls else {"role": "assistant", "content": text}


def function_call_input_item(item: dict[str, Any]) -> dict[str, Any]:
    """A function_call / function_call_output input item as GET .../input_items lists it (with an id)."""
    prefix = "fc" if item["type"] == "function_call" else "fco"
    keys = ("call_id", "name", "arguments") if item["type"] == "function_call" else ("call_id", "output")
    return {"type": item["type"], "id": item.get("id") or new_item_id(prefix), **{k: item.get(k) for k in keys}, "status": item.get("status") or "completed"}


def output_items(message: dict[str, Any], text_item: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """A chat answer as Responses output: text first (if any), then one item per call."""
    calls = message.get("tool_calls") or []
    items = [text_item(message.get("content") or "")] if message.get("content") or not calls else []
    items.extend(function_call_item(new_item_id("fc"), c, "completed") for c in calls)
    return items


class CallEvents:
    """The streamed events of the function_call items, one item open at a time."""

    def __init__(self, event: Callable[..., tuple[str, dict[str, Any]]]):
        self.event = event
        self.items: list[tuple[int, dict[str, Any]]] = []  # (output_index, item)
        self.open: dict[str, Any] | None = None
        self.args: list[str] = []

    def on_delta(self, calls: list[dict[str, Any]], next_index: int) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for call in calls:
            if call.get("id"):
                out.extend(self.close())
                fn = call["function"]
                self.open = {"index": next_index + len(self.items), "id": new_item_id("fc"), "call_id": call["id"], "name": fn["name"]}
                self.args = []
                item = function_call_item(self.open["id"], {"id": call["id"], "function": {"name": fn["name"], "arguments": ""}}, "in_progress")
                out.append(self.event("response.output_item.added", output_index=self.open["index"], item=item))
            fragment = (call.get("function") or {}).get("arguments") or ""
            if fragment and self.open:
                self.args.append(fragment)
                out.append(self.event("response.function_call_arguments.delta", item_id=self.open["id"], output_index=self.open["index"], delta=fragment))
        return out

    def close(self) -> list[tuple[str, dict[str, Any]]]:
        if not self.open:
            return []
        o, arguments = self.open, "".join(self.args)
        self.open = None
        item = function_call_item(o["id"], {"id": o["call_id"], "function": {"name": o["name"], "arguments": arguments}}, "completed")
        self.items.append((o["index"], item))
        return [
            self.event("response.function_call_arguments.done", item_id=o["id"], output_index=o["index"], arguments=arguments),
            self.event("response.output_item.done", output_index=o["index"], item=item),
        ]
