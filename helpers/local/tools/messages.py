"""Tool-related messages: the API's ordering rules, and the forms templates need.

The API refuses a `tool` message that answers no `tool_calls` and an assistant
`tool_calls` message whose calls go unanswered; the offline server does the same
so a broken loop fails here as it would in production. Deprecated
`function_call` / `function` messages are turned into the tool form, which is
the only one today's chat templates render.
"""

from __future__ import annotations

import json
from typing import Any

from .validation import bad


def check_tool_sequence(messages: list[dict[str, Any]]) -> None:
    pending: dict[str, int] = {}  # tool_call_id -> index of the assistant message that made it
    answering = False
    for i, m in enumerate(messages):
        role = m.get("role")
        if role == "tool":
            if not answering:
                raise bad(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                    "参数无效：role 为 'tool' 的消息必须回应前面一条带 'tool_calls' 的消息。",
                    param=f"messages.[{i}].role",
                    code=None,
                )
            pending.pop(m.get("tool_call_id"), None)
            continue
        _unanswered(pending)
        answering = role == "assistant" and bool(m.get("tool_calls"))
        if answering:
            _check_calls(m["tool_calls"], f"messages[{i}].tool_calls")
            pending = {c["id"]: i for c in m["tool_calls"]}
    _unanswered(pending)


def _unanswered(pending: dict[str, int]) -> None:
    if pending:
        index = next(iter(pending.values()))
        ids = ", ".join(pending)
        raise bad(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
            f"The following tool_call_ids did not have response messages: {ids}",
            f"带 'tool_calls' 的 assistant 消息后面必须有回应每个 'tool_call_id' 的 tool 消息。缺少回应的 id：{ids}",
            param=f"messages.[{index}].role",
            code=None,
        )


def _check_calls(calls: Any, param: str) -> None:
    if not isinstance(calls, list):
        raise bad(
            f"Invalid type for '{param}': expected an array, but got {type(calls).__name__} instead.",
            f"'{param}' 必须是数组。",
            param=param,
            code="invalid_type",
        )
    for j, c in enumerate(calls):
        p = f"{param}[{j}]"
        fn = c.get("function") if isinstance(c, dict) else None
        for key, value in (("id", c.get("id") if isinstance(c, dict) else None), ("function", fn)):
            if value is None:
                raise bad(f"Missing required parameter: '{p}.{key}'.", f"缺少必需参数：'{p}.{key}'。", param=f"{p}.{key}", code="missing_required_parameter")
        for key in ("name", "arguments"):
            if not isinstance(fn.get(key), str):
                raise bad(
                    f"Missing required parameter: '{p}.function.{key}'.",
                    f"缺少必需参数：'{p}.function.{key}'。",
                    param=f"{p}.function.{key}",
                    code="missing_required_parameter",
                )


def legacy_to_tool_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`function_call` on assistant messages and `function` results become tool calls and tool messages."""
    out = []
    last_id = None
    for i, m in enumerate(messages):
        if m.get("role") == "assistant" and m.get("function_call") and not m.get("tool_calls"):
            last_id = f"call_legacy_{i}"
            fc = m["function_call"]
            m = {**m, "tool_calls": [{"id": last_id, "type": "function", "function": {"name": fc.get("name", ""), "arguments": fc.get("arguments", "{}")}}]}
            m.pop("function_call")
        elif m.get("role") == "function":
            m = {"role": "tool", "tool_call_id": last_id or f"call_legacy_{i}", "name": m.get("name"), "content": m.get("content")}
        out.append(m)
    return out


def as_plain_text(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For templates that know no tools: calls and results written out in the Hermes tags."""
    out = []
    for m in messages:
        if m.get("role") == "assistant" and m.get("tool_calls"):
            calls = "\n".join(call_text(c["function"]["name"], c["function"]["arguments"]) for c in m["tool_calls"])
            out.append({"role": "assistant", "content": ((m.get("content") or "") + "\n" + calls).strip()})
        elif m.get("role") == "tool":
            out.append({"role": "user", "content": f"<tool_response>\n{m.get('content') or ''}\n</tool_response>"})
        else:
            out.append({k: val for k, val in m.items() if k not in ("tool_calls", "tool_call_id", "name")})
    return out


def call_text(name: str, arguments: str) -> str:
    try:
        args: Any = json.loads(arguments)
    except ValueError:
        args = arguments
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": args}, ensure_ascii=False) + "\n</tool_call>"


def results_as_text(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The turn that answers from tool results, written as plain conversation.

    Rendered in the template's own tool format, Qwen2.5-Coder-0.5B answers a tool
    result by repeating the call as JSON; told in words what it called and what
    came back, it answers the question (in the question's language)."""
    messages = legacy_to_tool_messages(messages)
    names = {c["id"]: c["function"]["name"] for m in messages if m.get("role") == "assistant" for c in m.get("tool_calls") or []}
    question = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "") or ""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.get("role") == "assistant" and m.get("tool_calls"):
            called = "; ".join(f"{c['function']['name']}({c['function']['arguments']})" for c in m["tool_calls"])
            out.append({"role": "assistant", "content": ((m.get("content") or "") + f"\n(called {called})").strip()})
        elif m.get("role") == "tool":
            line = f"{names.get(m.get('tool_call_id')) or m.get('name') or 'tool'}: {m.get('content') or ''}"
            if out and out[-1].get("tool_results"):
                out[-1]["content"] += "\n" + line
            else:
                out.append({"role": "user", "content": "Tool results:\n" + line, "tool_results": True})
        else:
            out.append({k: val for k, val in m.items() if k not in ("tool_calls", "tool_call_id", "name")})
    for m in out:
        if m.pop("tool_results", False) and m is out[-1]:
            m["content"] += f"\n\nUse these results to answer: {question}"
    return out
