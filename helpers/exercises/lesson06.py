"""Checks for notebook 06 (text generation parameters: finish reason, streaming, max tokens).

06.2 runs the learner's function on real SDK stream chunks (built from the JSON a
stream sends, not from the API). 06.3 is prompt-and-judge: the learner's developer
message must make the model finish a question within a small max_tokens, which
only a concrete length instruction does.
"""

from __future__ import annotations

from . import exercise, passed
from .judge import ask
from .learner import Wrong, friendly, need_callable, need_text


@exercise("06.1")
@friendly
def _(answer):
    value = answer.strip() if isinstance(answer, str) else None
    if value == "length":
        return passed("Correct: finish_reason 'length' means max_tokens cut the answer off.", "正确：finish_reason 为 'length' 表示回答被 max_tokens 截断了。")
    if value == "stop":
        raise Wrong("'stop' means the model ended by itself or hit a stop sequence.", "'stop' 表示模型自然结束或遇到了停止序列。")
    raise Wrong("Not quite: give the finish_reason value as a string in quotes.", "还不对：请用带引号的字符串写出 finish_reason 的值。")


def _chunk(delta: dict | None, finish_reason: str | None = None, usage: dict | None = None):
    """A real SDK ChatCompletionChunk, parsed from the JSON a stream sends (delta None: the usage chunk, no choices)."""
    from openai.types.chat import ChatCompletionChunk

    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]
    return ChatCompletionChunk.model_validate(
        {"id": "chatcmpl-exercise", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o-mini", "choices": choices, "usage": usage}
    )


def _stream(pieces: list[str], with_usage: bool) -> list:
    """The chunks of one streamed answer, in the order the API sends them: role first, then text, then the finish."""
    chunks = [_chunk({"role": "assistant", "content": ""})]
    chunks += [_chunk({"content": piece}) for piece in pieces]
    chunks.append(_chunk({}, finish_reason="stop"))  # the last choice chunk: an empty delta, content None
    if with_usage:  # stream_options={"include_usage": True} adds a chunk whose choices list is empty
        chunks.append(_chunk(None, usage={"prompt_tokens": 9, "completion_tokens": len(pieces), "total_tokens": 9 + len(pieces)}))
    return chunks


STREAMS = [
    (["Hello", ", wor", "ld!"], False),
    (["一", "、二", "、三。"], True),
]


def _collect(answer, pieces: list[str], with_usage: bool):
    """Run the learner's collect_stream on one stream; the two classic mistakes get their own feedback."""
    note_en = " (ending with the usage chunk, whose choices list is empty)" if with_usage else ""
    note_zh = "（最后是 usage 数据块，它的 choices 列表是空的）" if with_usage else ""
    try:
        return answer(iter(_stream(pieces, with_usage)))
    except IndexError:
        raise Wrong(
            f"collect_stream raised IndexError on a stream{note_en}: check chunk.choices before reading choices[0].",
            f"collect_stream 在一个流上抛出了 IndexError{note_zh}：读取 choices[0] 之前要先检查 chunk.choices。",
        ) from None
    except TypeError as e:
        raise Wrong(
            f"collect_stream raised TypeError ({e}): the last chunk's delta.content is None; skip chunks without text.",
            f"collect_stream 抛出了 TypeError（{e}）：最后一个数据块的 delta.content 是 None，要跳过没有文字的数据块。",
        ) from None
    except Exception as e:  # noqa: BLE001 - any other error in learner code is the learner's to see
        raise Wrong(
            f"collect_stream(stream) raised {type(e).__name__}: {e}. Run it on the stream in the lesson to find out why.",
            f"collect_stream(stream) 抛出了 {type(e).__name__}：{e}。请用课程里的流运行一下，找找原因。",
        ) from None


@exercise("06.2")
@friendly
def _(answer):
    need_callable(answer, "collect_stream(stream)")
    for pieces, with_usage in STREAMS:
        want = "".join(pieces)
        got = _collect(answer, pieces, with_usage)
        if got != want:
            raise Wrong(
                f"For a stream of the pieces {pieces}, collect_stream returned {got!r}; expected the joined text {want!r}.",
                f"对于由 {pieces} 这些片段组成的流，collect_stream 返回了 {got!r}，应当返回拼接起来的文字 {want!r}。",
            )
    return passed(
        "Correct: the pieces joined in order, skipping the role chunk, the empty last delta and the usage chunk.",
        "正确：按顺序拼接了各个片段，并跳过了角色数据块、最后的空 delta 和 usage 数据块。",
    )


BRIEF_QUESTION = "Explain what an API is."
BRIEF_MAX_TOKENS = 30  # the model's usual answer to BRIEF_QUESTION is longer: it needs the learner's instruction to fit


@exercise("06.3")
@friendly
def _(answer):
    rules = need_text(answer, "the developer message", "开发者消息")
    completion = ask(
        [{"role": "developer", "content": rules}, {"role": "user", "content": BRIEF_QUESTION}],
        max_tokens=BRIEF_MAX_TOKENS,
    )
    choice = completion.choices[0]
    text = (choice.message.content or "").strip()
    if choice.finish_reason == "length":
        raise Wrong(
            f"The model answered {text!r} and was cut off at max_tokens={BRIEF_MAX_TOKENS} (finish_reason 'length'). "
            "Ask for a concrete length, such as one short sentence.",
            f"模型回答了 {text!r}，在 max_tokens={BRIEF_MAX_TOKENS} 处被截断（finish_reason 为 'length'）。请要求一个具体的长度，例如一句短句。",
        )
    if "api" not in text.lower():
        raise Wrong(
            f"The model answered {text!r}: short enough, but it does not explain what an API is. Keep the answer on the question.",
            f"模型回答了 {text!r}：够短，但没有解释什么是 API。要让回答切题。",
        )
    return passed(
        f"Correct: the model answered {text!r} and stopped by itself (finish_reason 'stop') within {BRIEF_MAX_TOKENS} tokens.",
        f"正确：模型回答了 {text!r}，并在 {BRIEF_MAX_TOKENS} 个词元以内自然结束（finish_reason 为 'stop'）。",
    )
