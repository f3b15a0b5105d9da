"""The offline OpenAI-compatible server (`python -m helpers.local serve`)."""
from .config import SERVICE_NAME

__all__ = ["SERVICE_NAME"]
