"""Tool-choice accuracy of the offline models on a bilingual task set (bench/tool_tasks.json).

    python bench/tool_accuracy.py [--models qwen0.5b,qwen1.5b,smollm2] [--parallel 2]

For each model whose GGUF is in the cache, starts the real offline server and asks
every task through the real SDK at temperature 0:

- under tool_choice "auto": right when the model calls the expected tool with the
  expected arguments (city, amount, currencies), or answers in text when no tool fits;
- under tool_choice "required": every answer must be a well-formed call (a known
  function, arguments that parse and validate against its schema).

Prints one table row per model; the score is also given per 10 tasks, the unit of
the course's target (>= 8 of 10 for the default model).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jsonschema
from openai import OpenAI

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.local.process import ServerProcess  # noqa: E402

MODELS_DIR = Path.home() / ".cache/openai-course/models"
MODELS = {
    "qwen0.5b": MODELS_DIR / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "qwen1.5b": MODELS_DIR / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "smollm2": MODELS_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf",
}
TASKS = json.loads((Path(__file__).with_name("tool_tasks.json")).read_text(encoding="utf-8"))


def _matches(value, accepted) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return any(isinstance(a, (int, float)) and float(value) == float(a) for a in accepted)
    return isinstance(value, str) and value.strip().casefold() in accepted


def auto_right(message, task) -> bool:
    calls = message.tool_calls or []
    if task["tool"] is None:
        return not calls
    if len(calls) != 1 or calls[0].function.name != task["tool"]:
        return False
    args = json.loads(calls[0].function.arguments)
    return all(_matches(args.get(k), accepted) for k, accepted in task["args"].items())


def well_formed(message) -> bool:
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in TASKS["tools"]}
    calls = message.tool_calls or []
    try:
        return bool(calls) and all(jsonschema.Draft202012Validator(schemas[c.function.name]).is_valid(json.loads(c.function.arguments)) for c in calls)
    except (KeyError, ValueError):
        return False


def run_model(name: str, path: Path, parallel: int) -> dict:
    srv = ServerProcess("--model", str(path), "--parallel", str(parallel))
    try:
        srv.wait_healthy(timeout=600)
        client = OpenAI(base_url=srv.base_url, api_key="bench", max_retries=0, timeout=600)
        auto, required, misses = 0, 0, []
        started = time.monotonic()
        for task in TASKS["tasks"]:
            ask = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": task["q"]}], "tools": TASKS["tools"], "temperature": 0, "max_tokens": 80}
            msg = client.chat.completions.create(**ask).choices[0].message
            if auto_right(msg, task):
                auto += 1
            else:
                misses.append((task["q"], [(c.function.name, c.function.arguments) for c in msg.tool_calls or []] or (msg.content or "")[:60]))
            required += well_formed(client.chat.completions.create(**ask, tool_choice="required").choices[0].message)
        return {"model": name, "auto": auto, "required": required, "n": len(TASKS["tasks"]), "misses": misses, "seconds": time.monotonic() - started}
    finally:
        srv.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for name in args.models.split(","):
        path = MODELS[name]
        if not path.exists():
            print(f"{name}: {path} not in the cache, skipped", flush=True)
            continue
        row = run_model(name, path, args.parallel)
        rows.append(row)
        for q, got in row["misses"]:
            print(f"  {name} missed: {q!r} -> {got}", flush=True)
    n = len(TASKS["tasks"])
    print(f"\n{n} tasks ({sum(t['tool'] is not None for t in TASKS['tasks'])} need a tool), tool_choice='auto', temperature 0\n")
    print("| model | auto: right | per 10 | required: well-formed | time (s) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['auto']}/{n} | {10 * r['auto'] / n:.1f} | {r['required']}/{n} | {r['seconds']:.0f} |")


if __name__ == "__main__":
    main()
