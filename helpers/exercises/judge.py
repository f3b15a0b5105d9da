"""Prompt-and-judge exercises: the learner's prompt runs on the configured model.

Why: a prompt is right only if the model then does the right thing. A lesson's
check sends the learner's messages (or tools) through the same backend as the
notebook (offline server, OpenAI, Azure, any provider), at temperature 0 so an
offline run repeats, and then judges one property of the answer: it parses as
JSON, it names one of the labels, it calls the tool with a city. What failed is
explained in both languages; a backend that cannot be reached is feedback too,
never a traceback.
"""

from __future__ import annotations

from typing import Any

from . import Feedback, failed

MAX_TOKENS = 200  # enough for a short answer; keeps a check to a few seconds offline


class ModelUnreachable(Exception):
    """The model could not be asked; carries the bilingual feedback to show instead."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.en)
        self.feedback = feedback


def ask(messages: list[dict[str, Any]], **params: Any):
    """One chat completion for a check: the learner's messages, temperature 0, a small token cap.

    `params` passes extra request fields (tools, tool_choice, response_format, ...).
    Raises ModelUnreachable with friendly feedback when the backend cannot answer."""
    import openai

    import helpers

    cap = {} if "max_completion_tokens" in params else {"max_tokens": MAX_TOKENS}  # one cap, never both
    request = {"model": helpers.CHAT_MODEL, "messages": messages, "temperature": 0, **cap, **params}
    try:
        return helpers.get_client(quiet=True).chat.completions.create(**request)
    except openai.APIConnectionError as e:
        raise ModelUnreachable(
            failed(
                "The checker could not reach the model, so it could not judge your prompt. Is the server (or network) up? Run the cell again.",
                "检查程序连不上模型，所以没法评判你的提示词。服务器（或网络）是否在运行？请再运行一次这个单元格。",
            )
        ) from e
    except openai.BadRequestError as e:
        raise ModelUnreachable(
            failed(f"The API refused the request built from your answer: {_message(e)}", f"用你的答案构造的请求被 API 拒绝了：{_message(e)}")
        ) from e
    except openai.APIError as e:
        raise ModelUnreachable(
            failed(
                f"The model could not answer right now ({type(e).__name__}); try again in a moment.", f"模型暂时无法回答（{type(e).__name__}），请稍后再试。"
            )
        ) from e


def answer_text(completion) -> str:
    """The first choice's text ('' when the model called a tool instead)."""
    return completion.choices[0].message.content or ""


def judged(check):
    """Decorator: a check that calls `ask` may raise ModelUnreachable; show its feedback instead."""

    def run(answer):
        try:
            return check(answer)
        except ModelUnreachable as e:
            return e.feedback

    run.__doc__ = check.__doc__
    return run


def _message(error) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return str(error)
