"""POST /v1/embeddings: strings or token ids in, float or base64 vectors out."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import numpy as np
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import errors
from ..engines.encoder import DIMENSIONS
from ..models import family_of
from ..schema import openapi_body, type_name
from ..specs import EMBEDDING_FIELDS

_cl100k = None


def _is_token_ids(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(t, int) and not isinstance(t, bool) for t in item)


MAX_TOKEN_IDS = 8191  # the API's limit for one token-id input


def normalize_input(value: Any) -> tuple[list[str], dict[int, int]]:
    """`input` is a string, a list of strings, or token ids (a list of ints, or lists of them).
    Token ids are decoded with cl100k_base, the tokenizer the real embedding models use.
    Returns the texts, and for each input given as token ids its index and token count."""
    items: list[Any] = [value] if isinstance(value, str) else list(value)
    if _is_token_ids(items):
        items = [items]
    if not items:
        raise errors.invalid(
            "'$.input' is invalid: expected a non-empty string or array.", "'input' 无效：需要非空字符串或数组。", param="input", code="invalid_value"
        )
    texts, from_ids = [], {}
    for i, item in enumerate(items):
        if isinstance(item, str):
            text = item
        elif _is_token_ids(item):
            if len(item) > MAX_TOKEN_IDS:
                raise errors.context_length_exceeded(MAX_TOKEN_IDS, len(item), param="input", what_en=f"input[{i}]", what_zh=f"input[{i}] ")
            text = _decode_token_ids(item, i)
            from_ids[i] = len(item)
        else:
            raise errors.invalid_type(f"input[{i}]", "a string or an array of token ids", type_name(item))
        if not text:
            raise errors.invalid(
                f"'$.input' is invalid: input[{i}] is an empty string.", f"'input[{i}]' 是空字符串，无法生成嵌入。", param="input", code="invalid_value"
            )
        texts.append(text)
    return texts, from_ids


def _decode_token_ids(ids: list[int], i: int) -> str:
    global _cl100k
    import tiktoken

    enc = _cl100k = _cl100k or tiktoken.get_encoding("cl100k_base")
    if any(t < 0 or t >= enc.n_vocab for t in ids):
        raise errors.invalid(
            f"Invalid 'input[{i}]': token ids must be between 0 and {enc.n_vocab - 1}.",
            f"'input[{i}]' 中的词元 ID 必须在 0 到 {enc.n_vocab - 1} 之间。",
            param=f"input[{i}]",
            code="invalid_value",
        )
    try:
        return enc.decode(ids)
    except Exception as e:  # tiktoken raises on ids that are not in the vocabulary
        raise errors.invalid(f"Invalid 'input[{i}]': {e}", f"'input[{i}]' 无效：{e}", param=f"input[{i}]", code="invalid_value") from e


def check_dimensions(model: str, dimensions: int | None, width: int) -> None:
    """`dimensions` works on text-embedding-3-* only, and offline up to the local encoder's width."""
    if dimensions is None:
        return
    if family_of(model) == "text-embedding-ada-002":
        raise errors.invalid(
            "This model does not support specifying dimensions.", "该模型不支持指定 dimensions（维数）。", param="dimensions", code="invalid_value"
        )
    if dimensions > width:
        raise errors.invalid(
            f"Invalid 'dimensions': the offline server's encoder returns at most {width} dimensions, but got {dimensions}.",
            f"'dimensions' 无效：离线服务器的编码器最多返回 {width} 维，实际请求 {dimensions}。",
            param="dimensions",
            code="invalid_value",
        )


def shorten(vectors: np.ndarray, dimensions: int | None) -> np.ndarray:
    """Shorten and re-normalise, as the API does for text-embedding-3 models."""
    if dimensions is None:
        return vectors
    vectors = vectors[:, :dimensions]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def embedding_data(vectors: np.ndarray, fmt: str) -> list[dict[str, Any]]:
    """Each vector as the API sends it: base64 of little-endian float32, or a float array
    (left as a NumPy row: `EmbeddingsJSON` writes it)."""
    vectors = vectors.astype("<f4", copy=False)
    if fmt == "base64":
        return [{"object": "embedding", "index": i, "embedding": base64.b64encode(v.tobytes()).decode()} for i, v in enumerate(vectors)]
    return [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]


class EmbeddingsJSON(Response):
    """JSON written by orjson, which prints each float32 in its shortest exact form, straight
    from the NumPy row: ≈10 µs for a 512-float vector where json.dumps of the floats takes
    ≈180 µs and writes them twice as long (17 digits of the float64 they become)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


SHORT_INPUT_CHARS = 512  # encoded on the event loop when the encoder is free: under ≈1 ms


async def encode(state, texts: list[str], from_ids: frozenset[int]) -> tuple[np.ndarray, list[int]]:
    """Short inputs on the event loop (a thread hand-off would cost as much as encoding them);
    longer ones, or any input while another batch is encoding, in a worker thread."""
    encoder = state.encoder.get() if state.encoder.ready else await anyio.to_thread.run_sync(state.encoder.get)
    if sum(map(len, texts)) <= SHORT_INPUT_CHARS and (done := encoder.embed_if_free(texts, from_ids)) is not None:
        return done
    return await anyio.to_thread.run_sync(encoder.embed, texts, from_ids, limiter=state.encoder_threads)


def router(state, pipeline) -> APIRouter:
    r = APIRouter()

    @r.post("/v1/embeddings", openapi_extra=openapi_body(EMBEDDING_FIELDS))
    async def embeddings(request: Request):
        body = await pipeline.body(request, EMBEDDING_FIELDS)
        model = state.registry.resolve(body["model"], "embeddings")
        check_dimensions(body["model"], body.get("dimensions"), DIMENSIONS)
        texts, from_ids = normalize_input(body["input"])
        who = pipeline.admit(request, body["model"], texts, 0)
        vectors, counts = await encode(state, texts, frozenset(from_ids))
        # Token-id inputs count the ids given, as the API does; text inputs count the encoder's tokens.
        n_tokens = sum(from_ids.get(i, n) for i, n in enumerate(counts))
        data = embedding_data(shorten(vectors, body.get("dimensions")), body.get("encoding_format", "float"))
        state.charge(who, (body["model"],), n_tokens, 0)
        # A Response object skips FastAPI's jsonable_encoder, which would walk each float.
        return EmbeddingsJSON({"object": "list", "data": data, "model": model.id, "usage": {"prompt_tokens": n_tokens, "total_tokens": n_tokens}})

    return r
