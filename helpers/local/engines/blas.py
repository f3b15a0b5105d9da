"""NumPy's BLAS (the sentence encoder's only user here) on one thread, for every process
that runs the encoder: the server and the benchmark that compares with it.

Its worker threads busy-wait after each call: measured on 2 cores, a short embeddings
request cost the server 3.5-5.8 ms of CPU with them and 1.5-2.0 ms without, at the same
latency, CPU that llama.cpp needs in class. It must run before NumPy is first imported,
so this module imports nothing; a value the user set wins.
"""

from __future__ import annotations

import os


def one_blas_thread() -> None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")
