"""Gateway mode: the class server in front of real inference engines.

A school's GPU server (vLLM, Ollama, llama.cpp's server) or a provider reached
with the teacher's one key does the generating; the class server keeps what a
class needs and an engine does not have: per-student keys, limits, budgets, fair
turns, usage, stored completions and OpenAI-faithful errors. Modules:

- `config`: upstream URLs, their keys (read from the environment), the model map, prices
  (budgets themselves are `helpers/local/budget.py`: they work offline too).
- `pool`: which upstream gets the next request (least outstanding), back-off and health.
- `relay`: one HTTP exchange with an upstream, with failover before the first byte.
- `sse`: stream pass-through event by event, counting usage on the way.
- `upstream_errors`: upstream errors rewritten as the API's, with no URL or key in them.
- `responses_state`: Responses state kept here, the engine asked statelessly (why: see there).
- `routes`: the endpoints that go upstream.
"""
