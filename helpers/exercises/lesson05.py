"""Checks for notebook 05 (messages and roles: developer/system, user, assistant, multi-turn, few-shot)."""

from __future__ import annotations

from . import exercise, failed, passed

VALID_ROLES = ("developer", "system", "user", "assistant", "tool")
INSTRUCTION_ROLES = ("developer", "system")

# 05.3 continues this conversation (the notebook imports the same two values).
HISTORY = [
    {"role": "developer", "content": "You are a concise tutor. Answer in one sentence."},
    {"role": "user", "content": "What is a token?"},
]
REPLY = "A token is a common chunk of text, about four English characters."


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    raise TypeError("content must be a string or a list of parts")


def _shape_problem(messages):
    """(en, zh) describing the first structural problem of a messages list, or None."""
    if not isinstance(messages, list) or not messages:
        return ("`messages` must be a non-empty Python list of dicts.", "`messages` 必须是由字典组成的非空 Python 列表。")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            return (f"Message {i} must be a dict with the keys 'role' and 'content'.", f"第 {i} 条消息必须是带 'role' 和 'content' 两个键的字典。")
        if m["role"] not in VALID_ROLES:
            return (
                f"Message {i} has the role {m['role']!r}; use developer, system, user or assistant.",
                f"第 {i} 条消息的角色是 {m['role']!r}；请使用 developer、system、user 或 assistant。",
            )
        if not _text(m["content"]).strip():
            return (f"Message {i} has empty content.", f"第 {i} 条消息的内容是空的。")
    return None


@exercise("05.1")
def _(answer):
    problem = _shape_problem(answer)
    if problem:
        return failed(*problem)
    if answer[0]["role"] not in INSTRUCTION_ROLES:
        return failed(
            "Start with the instructions: the first message should have the role 'developer' (or 'system').",
            "先写指令：第一条消息的角色应当是 'developer'（或 'system'）。",
        )
    if answer[-1]["role"] != "user":
        return failed("End with the question: the last message should have the role 'user'.", "最后是提问：最后一条消息的角色应当是 'user'。")
    if len(answer) != 2:
        return failed("Use exactly two messages: one developer message and one user message.", "只需要两条消息：一条开发者消息和一条用户消息。")
    return passed("Correct: instructions in a developer message, the question in a user message.", "正确：指令放在开发者消息里，问题放在用户消息里。")


@exercise("05.2")
def _(answer):
    if isinstance(answer, str) and answer.strip().lower() == "assistant":
        return passed("Correct: the model's earlier replies go back in as assistant messages.", "正确：模型之前的回复以 assistant（助手）消息的形式放回列表。")
    if isinstance(answer, str) and answer.strip().lower() in ("developer", "system", "user"):
        return failed(
            f"{answer.strip()!r} is for instructions or the user's words, not for what the model said.",
            f"{answer.strip()!r} 用于指令或用户的话，不是模型说过的话。",
        )
    return failed("Not quite: give the role name as a string, e.g. 'user'.", "还不对：请用字符串写出角色名，例如 'user'。")


@exercise("05.3")
def _(answer):
    problem = _shape_problem(answer)
    if problem:
        return failed(*problem)
    roles = [m["role"] for m in answer]
    if len(answer) == 3 and roles == ["developer", "user", "user"]:
        return failed(
            "The model's reply is missing: append it as an assistant message before the follow-up.",
            "缺少模型的回复：在追问之前，把它作为 assistant 消息追加进去。",
        )
    if roles != ["developer", "user", "assistant", "user"]:
        return failed(
            f"Expected the roles developer, user, assistant, user; got {', '.join(roles)}.",
            f"角色顺序应为 developer、user、assistant、user；你的是 {', '.join(roles)}。",
        )
    if answer[:2] != HISTORY:
        return failed(
            "Keep the first two messages exactly as they are in `history`: the API is stateless.",
            "前两条消息要和 `history` 完全一样：API 是无状态的，要原样重发。",
        )
    if _text(answer[2]["content"]) != REPLY:
        return failed("The assistant message should hold the model's reply, `reply`, unchanged.", "assistant 消息里应当原样放入模型的回复 `reply`。")
    return passed("Correct: the whole history, the reply as an assistant message, then the follow-up.", "正确：完整的历史、作为助手消息的回复，再加上追问。")


@exercise("05.4")
def _(answer):
    problem = _shape_problem(answer)
    if problem:
        return failed(*problem)
    body = answer[1:] if answer[0]["role"] in INSTRUCTION_ROLES else answer
    if not body or body[-1]["role"] != "user":
        return failed("End with the new user message that the model should label.", "最后应当是需要模型打标签的那条新用户消息。")
    examples = body[:-1]
    if len(examples) < 4 or len(examples) % 2:
        return failed(
            "Give at least two examples, each a user message followed by an assistant message.", "至少给两个示例，每个示例是一条用户消息加一条助手消息。"
        )
    for i in range(0, len(examples), 2):
        if examples[i]["role"] != "user" or examples[i + 1]["role"] != "assistant":
            return failed("Examples must alternate: user, assistant, user, assistant, …", "示例必须交替出现：user、assistant、user、assistant……")
        label = _text(examples[i + 1]["content"]).strip().lower()
        if label not in ("positive", "negative"):
            return failed(
                f"Each example answer should be just 'positive' or 'negative', not {label!r}.",
                f"每个示范回答只能是 'positive' 或 'negative'，而不是 {label!r}。",
            )
    return passed("Correct: a few-shot prompt with example answers written as assistant messages.", "正确：这是一个少样本提示，示范回答写成了助手消息。")
