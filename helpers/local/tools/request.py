"""The normalised tool part of a chat request, whatever form the client used.

Chat completions send `tools` + `tool_choice`; old tutorials still send the
deprecated `functions` + `function_call`, which the API still serves and answers
with `message.function_call` instead of `tool_calls`. Both end up here as one
`ToolRequest`, so generation and parsing have a single path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import validation as v


@dataclass(frozen=True)
class FunctionDef:
    name: str
    description: str | None
    parameters: dict[str, Any]
    strict: bool = False

    def as_tool(self) -> dict[str, Any]:
        """The chat-completions tool object, as chat templates expect it."""
        fn: dict[str, Any] = {"name": self.name, "parameters": self.parameters}
        if self.description:
            fn["description"] = self.description
        return {"type": "function", "function": fn}


@dataclass
class ToolRequest:
    functions: list[FunctionDef]
    choice: str  # "auto" | "none" | "required" | "function" (then `forced` names it)
    forced: str | None = None
    parallel: bool = True
    legacy: bool = False  # answer with message.function_call (deprecated API)
    by_name: dict[str, FunctionDef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.functions}

    @property
    def active(self) -> bool:
        """False when the model must answer in text (`none`): the plain chat path serves it."""
        return self.choice != "none" and bool(self.functions)

    @property
    def mandatory(self) -> bool:
        return self.choice in ("required", "function")

    def allowed(self) -> list[FunctionDef]:
        """The functions the model may call now (one, when tool_choice names it)."""
        return [self.by_name[self.forced]] if self.choice == "function" else self.functions


def _function_def(raw: dict[str, Any]) -> FunctionDef:
    params = raw.get("parameters")
    return FunctionDef(raw["name"], raw.get("description"), params if params is not None else {"type": "object", "properties": {}}, bool(raw.get("strict")))


def from_chat_body(body: dict[str, Any]) -> ToolRequest | None:
    """Validate and normalise; None when the request has no tools at all."""
    if body.get("tools") is not None and body.get("functions") is not None:
        raise v.bad(
            "Invalid parameter: 'functions' and 'tools' cannot both be specified; 'functions' is deprecated, use 'tools'.",
            "不能同时设置 'functions' 和 'tools'；'functions' 已弃用，请用 'tools'。",
            param="functions",
        )
    if body.get("functions") is not None:
        return _from_legacy(body)
    tools = body.get("tools")
    v.check_choice_needs_tools(body, tools)
    if tools is None:
        return None
    functions = [_function_def(t["function"]) for t in v.check_chat_tools(tools)]
    choice, forced = v.check_tool_choice(body.get("tool_choice"), {f.name for f in functions}, "tool_choice")
    parallel = body.get("parallel_tool_calls", True)
    v.check_bool(parallel, "parallel_tool_calls")
    return ToolRequest(functions, choice, forced, bool(parallel))


def _from_legacy(body: dict[str, Any]) -> ToolRequest:
    functions = body["functions"]
    if not isinstance(functions, list):
        raise v.bad(
            f"Invalid type for 'functions': expected an array, but got {v.json_type(functions)} instead.",
            "'functions' 必须是数组。",
            param="functions",
            code="invalid_type",
        )
    if not functions:
        raise v.bad(
            "Invalid 'functions': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "'functions' 不能是空数组。",
            param="functions",
            code="empty_array",
        )
    defs = [_function_def(v.check_function(f, f"functions[{i}]")) for i, f in enumerate(functions)]
    choice, forced = v.check_function_call(body.get("function_call"), {f.name for f in defs})
    return ToolRequest(defs, choice, forced, parallel=False, legacy=True)


def from_responses_body(body: dict[str, Any]) -> ToolRequest | None:
    """The Responses API's flat tool objects (`{"type": "function", "name": ...}`)."""
    tools = body.get("tools")
    v.check_choice_needs_tools(body, tools)
    if not tools:
        return None
    defs = [_function_def(t) for t in v.check_responses_tools(tools)]
    choice, forced = v.check_tool_choice(body.get("tool_choice"), {f.name for f in defs}, "tool_choice", flat=True)
    parallel = body.get("parallel_tool_calls", True)
    v.check_bool(parallel, "parallel_tool_calls")
    return ToolRequest(defs, choice, forced, bool(parallel))
