"""The offline OpenAI-compatible server (`python -m helpers.local serve`)."""

# What /health says, so get_client() never mistakes another program on the port for ours.
SERVICE_NAME = "openai-course-offline"
