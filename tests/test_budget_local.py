"""Per-key budgets on the plain offline server (no --upstream), through the real SDK.

A budget used up is the API's 429 `insufficient_quota`: the SDK raises
`RateLimitError` like for a rate limit, but there is no Retry-After, because
waiting does not help — lesson 11 shows the difference with this server.
"""

from __future__ import annotations

import httpx
import openai
import pytest
from server_proc import ServerProcess

from conftest import CHAT

ADA, BO = "sk-budget-ada-0001", "sk-budget-bo-0002"
ADMIN = "sk-budget-admin-0003"


@pytest.fixture(scope="module")
def budget_server():
    srv = ServerProcess("--api-key", ADA, "--api-key", BO, "--admin-key", ADMIN, "--budget-tokens", "60", "--parallel", "1")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()


def _client(srv: ServerProcess, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base_url, api_key=key, max_retries=0, timeout=120)


def _ask(client: openai.OpenAI):
    return client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}], max_completion_tokens=8)


def test_a_key_under_its_budget_works_then_gets_insufficient_quota(budget_server):
    ada = _client(budget_server, ADA)
    spent = 0
    while spent < 60:  # each answer costs its usage (about 40 tokens with the chat template): two fit, the third is refused
        answer = _ask(ada)
        assert answer.usage.total_tokens > 0 and answer.choices[0].message.content is not None
        spent += answer.usage.total_tokens
    with pytest.raises(openai.RateLimitError) as e:
        _ask(ada)
    err = e.value
    assert err.status_code == 429 and err.code == "insufficient_quota" and err.type == "insufficient_quota"
    assert "exceeded your current quota" in err.message and "60 tokens" in err.message and "配额" in err.message
    assert "retry-after" not in err.response.headers  # waiting does not bring credit back
    with pytest.raises(openai.RateLimitError):  # and it stays refused
        _ask(ada)


def test_another_key_has_its_own_budget(budget_server):
    bo = _client(budget_server, BO)
    assert _ask(bo).usage.total_tokens > 0


def test_the_teacher_sees_each_keys_spending(budget_server):
    report = httpx.get(budget_server.base_url + "/admin/usage", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    rows = [r for r in report["data"] if r.get("budget_tokens") == 60]
    assert len(rows) == 2, report["data"]
    assert all(r["spent_tokens"] == r["prompt_tokens"] + r["completion_tokens"] > 0 for r in rows)
    assert max(r["spent_tokens"] for r in rows) >= 60  # Ada's key, used up


def test_a_money_budget_needs_a_price_table():
    srv = ServerProcess("--budget-usd", "1")
    assert srv.proc.wait(60) == 2
    srv.stop()
    assert " / " in srv.log_path.read_text(encoding="utf-8")


def test_a_money_budget_offline(tmp_path):
    prices = tmp_path / "prices.toml"
    prices.write_text(f'[prices."{CHAT}"]\ninput = 1000.0\noutput = 4000.0\n', encoding="utf-8")
    with ServerProcess("--api-key", ADA, "--budget-usd", "0.01", "--prices", str(prices), "--parallel", "1") as srv:
        srv.wait_healthy()
        ada = _client(srv, ADA)
        _ask(ada)  # ≈ 0.06 USD at these prices: over the budget after one answer
        with pytest.raises(openai.RateLimitError) as e:
            _ask(ada)
        assert e.value.code == "insufficient_quota" and "$0.01" in e.value.message
