"""Checks for notebook 05 (messages and roles: developer/system, user, assistant, multi-turn, few-shot).

05.1 and 05.4 are prompt-and-judge: the learner's messages go to the configured
model at temperature 0 and the check judges one property of the answers (the
name the developer message gave the model; one correct label per review).
"""

from __future__ import annotations

import re

from . import exercise, passed
from .judge import answer_text, ask
from .learner import Wrong, content_text, friendly

VALID_ROLES = ("developer", "system", "user", "assistant", "tool")
INSTRUCTION_ROLES = ("developer", "system")

# 05.3 continues this conversation (the notebook imports the same two values).
HISTORY = [
    {"role": "developer", "content": "You are a concise tutor. Answer in one sentence."},
    {"role": "user", "content": "What is a token?"},
]
REPLY = "A token is a common chunk of text, about four English characters."

# 05.1: the name the developer message must give the model, and the second question it is tried on.
TUTOR_NAME = "Captain Byte"
SECOND_QUESTION = "What is your name?"
# 05.4: reviews the learner's few-shot prompt must label; the last two trip up a prompt without examples.
REVIEWS = [
    ("The screen cracked on day one and support never answered.", "negative"),
    ("Works perfectly, I would buy it again.", "positive"),
    ("Not bad at all, better than I expected.", "positive"),
    ("I wanted to love it, but it stopped charging after a week.", "negative"),
]


def check_shape(messages) -> None:
    """Raise Wrong naming the first structural problem of a messages list."""
    if not isinstance(messages, list) or not messages:
        raise Wrong(
            "`messages` must be a non-empty Python list of dicts, like [{'role': 'user', 'content': 'Hi'}].",
            "`messages` 必须是由字典组成的非空 Python 列表，例如 [{'role': 'user', 'content': 'Hi'}]。",
        )
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise Wrong(f"Message {i} must be a dict with the keys 'role' and 'content'.", f"第 {i} 条消息必须是带 'role' 和 'content' 两个键的字典。")
        if m["role"] not in VALID_ROLES:
            raise Wrong(
                f"Message {i} has the role {m['role']!r}; use developer, system, user or assistant.",
                f"第 {i} 条消息的角色是 {m['role']!r}；请使用 developer、system、user 或 assistant。",
            )
        if not content_text(m["content"]).strip():
            raise Wrong(f"Message {i} has empty content.", f"第 {i} 条消息的内容是空的。")


@exercise("05.1")
@friendly
def _(answer):
    check_shape(answer)
    if len(answer) != 2 or answer[0]["role"] not in INSTRUCTION_ROLES or answer[1]["role"] != "user":
        raise Wrong(
            "Use exactly two messages: first the developer (or system) message, then the user message.",
            "只需要两条消息：先是开发者（或系统）消息，然后是用户消息。",
        )
    if "who are you" not in content_text(answer[1]["content"]).lower():
        raise Wrong('The user message should ask "Who are you?".', '用户消息应当问 "Who are you?"（你是谁？）。')
    for messages in (answer, [answer[0], {"role": "user", "content": SECOND_QUESTION}]):
        reply = answer_text(ask(messages, max_tokens=40))
        if TUTOR_NAME.lower() not in reply.lower():
            question = content_text(messages[1]["content"])
            raise Wrong(
                f"Asked {question!r}, the model answered {reply!r}, without the name {TUTOR_NAME}. "
                'Say the name plainly in the developer message ("Your name is …"): an instruction the model can follow.',
                f"问 {question!r} 时，模型回答 {reply!r}，没有说出名字 {TUTOR_NAME}。"
                '请在开发者消息里直接写明名字（"Your name is …"）：这样的指令模型才跟得上。',
            )
    return passed(
        f"Correct: with your developer message the model calls itself {TUTOR_NAME}, whatever the user asks.",
        f"正确：有了你的开发者消息，无论用户问什么，模型都自称 {TUTOR_NAME}。",
    )


@exercise("05.2")
@friendly
def _(answer):
    role = answer.strip().lower() if isinstance(answer, str) else None
    if role == "assistant":
        return passed("Correct: the model's earlier replies go back in as assistant messages.", "正确：模型之前的回复以 assistant（助手）消息的形式放回列表。")
    if role in ("developer", "system", "user"):
        raise Wrong(f"{role!r} is for instructions or the user's words, not for what the model said.", f"{role!r} 用于指令或用户的话，不是模型说过的话。")
    raise Wrong("Not quite: give one role name as a string in quotes, e.g. 'user'.", "还不对：请用带引号的字符串写出一个角色名，例如 'user'。")


@exercise("05.3")
@friendly
def _(answer):
    check_shape(answer)
    roles = [m["role"] for m in answer]
    if roles == ["developer", "user", "user"]:
        raise Wrong(
            "The model's reply is missing: append it as an assistant message before the follow-up.",
            "缺少模型的回复：在追问之前，把它作为 assistant 消息追加进去。",
        )
    if roles != ["developer", "user", "assistant", "user"]:
        raise Wrong(
            f"Expected the roles developer, user, assistant, user; got {', '.join(map(str, roles))}.",
            f"角色顺序应为 developer、user、assistant、user；你的是 {'、'.join(map(str, roles))}。",
        )
    if answer[:2] != HISTORY:
        raise Wrong(
            "Keep the first two messages exactly as they are in `history`: the API is stateless.",
            "前两条消息要和 `history` 完全一样：API 是无状态的，要原样重发。",
        )
    if content_text(answer[2]["content"]) != REPLY:
        raise Wrong("The assistant message should hold the model's reply, `reply`, unchanged.", "assistant 消息里应当原样放入模型的回复 `reply`。")
    if "token" not in content_text(answer[3]["content"]).lower():
        raise Wrong("The last message should be the follow-up question about 'hello world'.", "最后一条消息应当是关于 'hello world' 的追问。")
    return passed("Correct: the whole history, the reply as an assistant message, then the follow-up.", "正确：完整的历史、作为助手消息的回复，再加上追问。")


def _few_shot_examples(answer) -> list[dict]:
    """The example messages (instructions and the final review dropped); Wrong if they do not alternate."""
    check_shape(answer)
    body = answer[1:] if answer[0]["role"] in INSTRUCTION_ROLES else answer
    if not body or body[-1]["role"] != "user":
        raise Wrong("End with a new user message: a review for the model to label.", "最后应当是一条新的用户消息：一条需要模型打标签的评论。")
    examples = body[:-1]
    if len(examples) < 4 or len(examples) % 2:
        raise Wrong(
            "Give at least two examples, each a user message followed by an assistant message.", "至少给两个示例，每个示例是一条用户消息加一条助手消息。"
        )
    for i in range(0, len(examples), 2):
        if examples[i]["role"] != "user" or examples[i + 1]["role"] != "assistant":
            raise Wrong("Examples must alternate: user, assistant, user, assistant, …", "示例必须交替出现：user、assistant、user、assistant……")
    return answer[:-1]


def _label(reply: str) -> str:
    return re.sub(r"[\s.!\"'`*]+", " ", reply).strip().lower()


@exercise("05.4")
@friendly
def _(answer):
    prompt = _few_shot_examples(answer)
    for review, want in REVIEWS:
        reply = answer_text(ask(prompt + [{"role": "user", "content": review}], max_tokens=10))
        got = _label(reply)
        if got not in ("positive", "negative"):
            raise Wrong(
                f"For the review {review!r} the model answered {reply!r}, not just one label. "
                "Write your example answers as the bare label, exactly as you want the model's answer to look.",
                f"对于评论 {review!r}，模型回答的是 {reply!r}，而不只是一个标签。示范回答只写标签本身，就写成你希望模型回答的样子。",
            )
        if got != want:
            raise Wrong(
                f"For the review {review!r} the model answered {got!r}; it is {want!r}. "
                "Add an example like it (both labels should appear among your examples).",
                f"对于评论 {review!r}，模型回答 {got!r}，正确的是 {want!r}。请加一个类似的示例（两种标签都应当在示例中出现）。",
            )
    return passed(
        f"Correct: your examples made the model answer with one correct label for all {len(REVIEWS)} test reviews.",
        f"正确：你的示例让模型对全部 {len(REVIEWS)} 条测试评论都只回答了一个正确的标签。",
    )
