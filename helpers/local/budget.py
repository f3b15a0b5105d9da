"""Per-key budgets (`serve --budget-tokens N`, `--budget-usd X --prices FILE`).

RPM/TPM limits slow a student down; a budget stops them, as the real API does
when an account's credit is used up: 429 with type and code `insufficient_quota`
(lesson 11 explains the difference: retrying helps with the first, never with
the second). In gateway mode a budget lets one teacher key be shared safely; on
the plain offline server it lets a class meet the quota error for real. Budgets
count tokens as the answer's `usage` reports them (the local engine's or the
upstream's), and money from an optional price table. A request is admitted while
the key is below the budget, so the last one may go over by at most one answer —
the same rule a prepaid account follows.

Spending lives in memory: restarting the server starts a new budget period.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import insufficient_quota
from .gateway.config import Price


@dataclass
class Spent:
    tokens: int = 0
    usd: float = 0.0


class Budgets:
    def __init__(self, tokens: int | None, usd: float | None, prices: dict[str, Price]):
        self.tokens = tokens
        self.usd = usd
        self.prices = prices
        self._spent: dict[str, Spent] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.tokens is not None or self.usd is not None

    def check(self, who: str) -> None:
        """Raise `insufficient_quota` when this student's budget is used up."""
        if not self.enabled:
            return
        with self._lock:
            spent = self._spent.get(who, Spent())
        if self.tokens is not None and spent.tokens >= self.tokens:
            raise insufficient_quota(f"This key's budget of {self.tokens} tokens is used up.", f"这个密钥的 {self.tokens} 个词元预算已用完")
        if self.usd is not None and spent.usd >= self.usd:
            raise insufficient_quota(f"This key's budget of ${self.usd:.2f} is used up.", f"这个密钥的 {self.usd:.2f} 美元预算已用完")

    def charge(self, who: str, models: tuple[str, ...], prompt_tokens: int, completion_tokens: int) -> None:
        """`models`: the name the student asked for, then the upstream's (gateway mode); the price table may use either."""
        price = next((self.prices[m] for m in models if m in self.prices), None)
        with self._lock:
            spent = self._spent.setdefault(who, Spent())
            spent.tokens += prompt_tokens + completion_tokens
            if price:
                spent.usd += price.cost(prompt_tokens, completion_tokens)

    def report(self, who: str) -> dict[str, float | int | None]:
        with self._lock:
            spent = self._spent.get(who, Spent())
        return {"budget_tokens": self.tokens, "spent_tokens": spent.tokens, "budget_usd": self.usd, "spent_usd": round(spent.usd, 6)}
