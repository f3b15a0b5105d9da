"""A progress display for long copies that suits where it runs.

In a terminal or a notebook, tqdm's bar shows MB done, speed and time left. In a
CI log or a file, a redrawn bar turns into one unreadable line of carriage
returns, so there it prints a plain line every tenth of the way instead.
"""
from __future__ import annotations

import sys
import time


def _interactive() -> bool:
    return "ipykernel" in sys.modules or sys.stderr.isatty()


class Progress:
    """`with Progress(total, "label", enabled) as p: p.update(n)`."""

    def __init__(self, total: int, label: str, enabled: bool = True):
        self.total, self.label, self.enabled = total, label, enabled
        self.done, self._next_tenth, self._t0 = 0, 1, time.monotonic()
        self._bar = None
        if enabled and _interactive():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1000, desc=label)

    def __enter__(self) -> Progress:
        return self

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled and self.total and self.done * 10 >= self._next_tenth * self.total:
            self._next_tenth = self.done * 10 // self.total + 1
            elapsed = max(time.monotonic() - self._t0, 1e-6)
            speed = self.done / elapsed
            left = (self.total - self.done) / speed if speed else 0
            print(f"{self.label}: {self.done / 1e6:,.0f}/{self.total / 1e6:,.0f} MB, {speed / 1e6:,.0f} MB/s, "
                  f"{left:,.0f} s left", file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
