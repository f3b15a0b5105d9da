"""Exercise checks of notebook 10: a right answer passes, wrong answers fail with feedback in both languages.

10.4 is prompt-and-judge: its checks send the answer to the session's real offline
server (Qwen2.5-Coder-0.5B at temperature 0, started in the root conftest.py), so a
right answer passes because the model really calls the learner's tool.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from exercise_support import bad, ok

from helpers.exercises import check, exercise_ids
from helpers.exercises.lesson10 import ASSISTANT, QUESTION, RESULT

CURRENCY_TOOL = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount of money from one currency to another.",
        "parameters": {
            "type": "object",
            "properties": {"amount": {"type": "number"}, "from_currency": {"type": "string"}, "to_currency": {"type": "string"}},
            "required": ["amount", "from_currency", "to_currency"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}

TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_local_time",
        "description": "Get the current local time in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name, e.g. Tokyo"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}

CURRENCIES = {"USD", "EUR", "CNY", "JPY", "GBP"}


def parse_conversion(arguments):
    data = json.loads(arguments)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
        raise ValueError("amount")
    if data.get("from_currency") not in CURRENCIES or data.get("to_currency") not in CURRENCIES:
        raise ValueError("currency")
    return {k: data[k] for k in ("amount", "from_currency", "to_currency")}


def _changed(tool, edit):
    t = copy.deepcopy(tool)
    edit(t)
    return t


def _eval_parser(arguments):
    return eval(arguments)  # noqa: S307 - the wrong answer 10.3 must catch


def _no_checks(arguments):
    return json.loads(arguments)


def _key_error(arguments):
    data = json.loads(arguments)
    return {"amount": data["amount"], "from_currency": data["from_currency"], "to_currency": data["to_currency"]}


TOOL_MESSAGE = {"role": "tool", "tool_call_id": "call_paris_0001", "content": json.dumps(RESULT)}

RIGHT = {
    "10.1": CURRENCY_TOOL,
    "10.2": [QUESTION, ASSISTANT, TOOL_MESSAGE],
    "10.3": parse_conversion,
    "10.4": {"tool": TIME_TOOL, "question": "What time is it in Tokyo right now?"},
}

WRONG_OFFLINE = {  # wrong shapes and wrong facts: caught before any model is asked
    "10.1": [
        "convert_currency",
        {"type": "function", **CURRENCY_TOOL["function"]},
        _changed(CURRENCY_TOOL, lambda t: t["function"].update(name="convert currency")),
        _changed(CURRENCY_TOOL, lambda t: t["function"].update(parameters={"type": "string"})),
        _changed(CURRENCY_TOOL, lambda t: t["function"]["parameters"]["properties"]["amount"].update(type="string")),
        _changed(CURRENCY_TOOL, lambda t: t["function"]["parameters"]["required"].remove("to_currency")),
        _changed(CURRENCY_TOOL, lambda t: t["function"]["parameters"].pop("additionalProperties")),
        _changed(CURRENCY_TOOL, lambda t: t["function"].pop("strict")),
    ],
    "10.2": [
        [QUESTION, ASSISTANT, {"role": "tool", "tool_call_id": "call_paris_0001", "content": RESULT}],
        [QUESTION, ASSISTANT, {"role": "tool", "content": json.dumps(RESULT)}],
        [QUESTION, {"role": "tool", "tool_call_id": "call_paris_0001", "content": json.dumps(RESULT)}],
        [QUESTION, ASSISTANT, {"role": "user", "content": json.dumps(RESULT)}],
        "[QUESTION, ASSISTANT, RESULT]",
    ],
    "10.3": [_eval_parser, _no_checks, _key_error, "parse_conversion"],
    "10.4": [
        "What time is it in Tokyo?",
        {"tool": "get_local_time", "question": "What time is it in Tokyo?"},
        {"tool": _changed(TIME_TOOL, lambda t: t["function"].update(parameters={"type": "string"})), "question": "Time in Oslo?"},
        {"tool": _changed(TIME_TOOL, lambda t: t["function"].update(name="local_time")), "question": "Time in Oslo?"},
        {"tool": TIME_TOOL, "question": ""},
        {"tool": TIME_TOOL},
        {"tool": _changed(TIME_TOOL, lambda t: t["function"]["parameters"]["properties"]["city"].update(type="integer")), "question": "Time in Oslo?"},
        {"tool": _changed(TIME_TOOL, lambda t: t["function"]["parameters"].update(required=[])), "question": "Time in Oslo?"},
    ],
}

WRONG_ON_THE_MODEL = [  # the model is asked and does not make the call the exercise wants
    {"tool": TIME_TOOL, "question": "Tell me a joke about cats."},
    {"tool": TIME_TOOL, "question": "How much is 20 dollars in euros?"},
]


def test_every_exercise_has_cases():
    ids = [i for i in exercise_ids() if i.startswith("10.")]
    assert sorted(ids) == sorted(RIGHT) == sorted(WRONG_OFFLINE)
    assert len(ids) >= 3


@pytest.mark.parametrize("exercise_id", ["10.1", "10.2", "10.3"])
def test_right_answer_passes(exercise_id):
    ok(exercise_id, RIGHT[exercise_id])


def test_accepted_variants():
    import openai
    from pydantic import BaseModel, Field

    class ConvertCurrency(BaseModel):
        """Convert an amount of money from one currency to another."""

        amount: float = Field(description="The amount to convert")
        from_currency: str
        to_currency: str

    ok("10.1", openai.pydantic_function_tool(ConvertCurrency, name="convert_currency"))
    from openai.types.chat import ChatCompletionMessage

    ok("10.2", [QUESTION, ChatCompletionMessage.model_validate(ASSISTANT), TOOL_MESSAGE])


@pytest.mark.parametrize("exercise_id,i", [(k, i) for k, v in sorted(WRONG_OFFLINE.items()) for i in range(len(v))])
def test_wrong_answer_fails_in_both_languages(exercise_id, i):
    bad(exercise_id, WRONG_OFFLINE[exercise_id][i])


def test_no_answer_yet():
    for exercise_id in RIGHT:
        fb = check(exercise_id, ...)
        assert not fb.ok and "No answer yet" in fb.en


def test_judged_right_answer_passes_on_the_model(server):
    fb = check("10.4", RIGHT["10.4"])
    assert fb.ok, str(fb)
    assert '"city": "Tokyo"' in fb.en.replace("'", '"')


@pytest.mark.parametrize("i", range(len(WRONG_ON_THE_MODEL)))
def test_judged_wrong_answer_fails_on_the_model(server, i):
    bad("10.4", WRONG_ON_THE_MODEL[i])


SOLUTION = re.compile(r"\*\*(\d\d\.\d+)\*\*\s+```python\n(.*?)```", re.S)


def test_teacher_solutions_pass(server):
    text = (Path(__file__).resolve().parent.parent / "solutions" / "lesson10.md").read_text(encoding="utf-8")
    found = SOLUTION.findall(text)
    assert sorted(i for i, _ in found) == sorted(RIGHT)
    for exercise_id, src in found:
        ns = {"question": dict(QUESTION), "assistant_message": copy.deepcopy(ASSISTANT), "result": dict(RESULT)}
        exec(src, ns)
        ok(exercise_id, ns["answer"])


def test_notebook_gives_the_checked_conversation():
    """10.2's cell in the notebook defines exactly the conversation the checker expects."""
    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parent.parent / "notebooks" / "10_function_calling.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("question = "))
    ns: dict = {}
    exec(cell.source, ns)
    assert (ns["question"], ns["assistant_message"], ns["result"]) == (QUESTION, ASSISTANT, RESULT)
