"""The embedding encoder: short inputs may be encoded on the server's event loop, but only
when that never means waiting for another batch."""

import threading

import numpy as np
import pytest

from helpers.local.engines.encoder import DIMENSIONS, Encoder


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def test_embed_returns_unit_vectors_and_token_counts(encoder):
    vectors, counts = encoder.embed(["The food was delicious.", "这道菜很好吃。"])
    assert vectors.shape == (2, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert all(n > 0 for n in counts) and len(counts) == 2


def test_embed_if_free_gives_the_same_vectors(encoder):
    text = ["Embeddings turn text into numbers."]
    now = encoder.embed_if_free(text)
    assert now is not None
    assert np.array_equal(now[0], encoder.embed(text)[0]) and now[1] == encoder.embed(text)[1]


def test_embed_if_free_never_waits_for_a_running_batch(encoder):
    started, release = threading.Event(), threading.Event()

    def hold():
        with encoder._lock:  # what a long batch in a worker thread does for its whole run
            started.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    started.wait(10)
    try:
        assert encoder.embed_if_free(["short"]) is None
    finally:
        release.set()
        holder.join()
    assert encoder.embed_if_free(["short"]) is not None
