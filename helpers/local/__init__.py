"""The offline OpenAI-compatible server (`python -m helpers.local serve`)."""
