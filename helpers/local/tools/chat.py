"""Chat completions with tools: the llama.cpp request, and its answer in OpenAI's shape.

A tool request is generated as a plain completion of the rendered prompt (see
`prompt`), so this module, not llama.cpp's own tool handling, decides what the
text means: a mandatory call is constrained by a grammar (see `constraint`), an
`auto` answer is parsed (see `parsing`). The result is then handed to the
chat-completions code in the same form llama.cpp's chat endpoint returns.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from . import generation
from . import messages as tool_messages
from . import prompt as tool_prompt
from .constraint import CLOSE_TAG, OPEN_TAG, tool_call_grammar
from .messages import legacy_to_tool_messages, results_as_text
from .parsing import parse
from .request import ToolRequest, from_chat_body
from .stream import ToolStream

__all__ = [
    "ChoiceStreams",
    "completion_request",
    "generates_calls",
    "legacy_to_tool_messages",
    "read",
    "render_prompt",
    "results_as_text",
    "to_chat_result",
]


def read(body: dict[str, Any]) -> ToolRequest | None:
    """Validate the tool parameters and the tool messages of a chat request."""
    request = from_chat_body(body)
    msgs = body["messages"]
    tool_messages.check_tool_sequence(tool_messages.legacy_to_tool_messages(msgs) if request and request.legacy else msgs)
    return request


def generates_calls(request: ToolRequest | None, messages: list[dict[str, Any]]) -> bool:
    """Whether this turn goes through the tool path.

    Not with tool_choice "none", and not under "auto" right after tool results: a
    0.5B model shown the tools again repeats the call it just made, in a loop,
    instead of answering from the result. The API's models would answer, so
    the offline server lets ours see the results without the tool list."""
    if request is None or not request.active:
        return False
    return request.mandatory or messages[-1].get("role") not in ("tool", "function")


def render_prompt(engine: Any, messages: list[dict[str, Any]], request: ToolRequest) -> str:
    return tool_prompt.render(engine, messages, request)


def _single_token(engine: Any, text: str) -> int | None:
    ids = engine.tokenize(text)
    return ids[0] if len(ids) == 1 else None


def tool_request(
    engine: Any, messages: list[dict[str, Any]], request: ToolRequest, requested: int | None, default_max_tokens: int, sampling: dict[str, Any], stream: bool
) -> dict[str, Any]:
    """The engine request of one choice: a completion of the rendered prompt. Its `_tools` entry
    (never sent to llama.cpp) tells `generation.runner` to take the tool path."""
    prompt = render_prompt(engine, messages, request)
    max_tokens = _fit_prompt(engine, prompt, requested, default_max_tokens)
    req = completion_request(engine, prompt, request, {"max_tokens": max_tokens, **sampling})
    if stream:
        req["stream"] = True
        req["stream_options"] = {"include_usage": True}
    req[generation.CONTEXT_KEY] = (request, generation.user_words(messages))
    return req


def _fit_prompt(engine: Any, prompt: str, requested: int | None, default_max_tokens: int) -> int:
    """As for any chat request: prompt + max_tokens must fit the context, else the API's 400."""
    wanted = requested if requested is not None else default_max_tokens
    if len(prompt.encode()) + wanted <= engine.n_ctx:
        return wanted
    n_prompt = engine.count_text(prompt, add_special=False)
    if requested is None and n_prompt < engine.n_ctx:
        return min(wanted, engine.n_ctx - n_prompt)
    if n_prompt + wanted > engine.n_ctx:
        raise errors.context_length_exceeded(engine.n_ctx, n_prompt, requested)
    return wanted


def completion_request(engine: Any, prompt: str, request: ToolRequest, base: dict[str, Any]) -> dict[str, Any]:
    """The llama.cpp /completion request; with a grammar when the call is mandatory."""
    req = {**base, "prompt": prompt}
    if request.mandatory:
        req["grammar"] = tool_call_grammar(
            request.allowed(), parallel=request.parallel, open_id=_single_token(engine, OPEN_TAG), close_id=_single_token(engine, CLOSE_TAG)
        )
    return req


def to_chat_result(raw: dict[str, Any], request: ToolRequest) -> dict[str, Any]:
    """A llama.cpp completion result → the chat result shape (`choices[0].message`)."""
    choice = raw["choices"][0]
    content, calls = parse(choice.get("text") or "", set(request.by_name))
    finish = choice.get("finish_reason")
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls and request.legacy:
        message["function_call"] = {"name": calls[0].name, "arguments": calls[0].arguments}
        finish = "function_call"
    elif calls:
        if not request.parallel:
            calls = calls[:1]
        message["tool_calls"] = [c.as_tool_call() for c in calls]
        finish = "tool_calls"  # the calls returned are complete, even if the text after them was cut
    return {"choices": [{"index": 0, "finish_reason": finish, "message": message}], "usage": raw.get("usage") or {}}


class ChoiceStreams:
    """One `ToolStream` per choice of a streamed request."""

    def __init__(self, request: ToolRequest, n: int):
        names = set(request.by_name)
        self.streams = [ToolStream(names, legacy=request.legacy, single=not request.parallel) for _ in range(n)]

    def deltas(self, index: int, raw: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
        """(delta, finish_reason) pairs for one raw llama.cpp completion chunk."""
        out: list[tuple[dict[str, Any], str | None]] = []
        for c in raw.get("choices") or []:
            stream = self.streams[index]
            out.extend((d, None) for d in stream.feed(c.get("text") or ""))
            if c.get("finish_reason"):
                deltas, reason = stream.finish(c["finish_reason"])
                out.extend((d, None) for d in deltas)
                out.append(({}, reason))
        return out
