"""Function calling offline: `tools`, `tool_choice` and their answers.

llama.cpp renders tool definitions through the model's own chat template, but
its tool-call parsing does not read what small models really write (JSON in
code fences) and it cannot force a named function. So the server renders the
prompt with the template, generates plain text (constrained by an llguidance
grammar when a call is mandatory) and turns that text into OpenAI's shapes here:

- `validation`: the request's tools, tool_choice and message order, with the API's errors;
- `request`: the normalised `ToolRequest` a route works with (also legacy `functions`);
- `prompt`: the prompt text for the model (template, or a Hermes-style fallback);
- `constraint`: the grammar that makes `required`, named and strict calls certain;
- `parsing`: tool calls out of free text (template tags, code fences, bare JSON);
- `stream`: the same, incrementally, as chat-completion deltas;
- `responses_items`: the Responses API's `function_call` items and events.
"""
