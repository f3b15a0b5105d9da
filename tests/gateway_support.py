"""The gateway tests start real upstreams and gateways through helpers.local.gateway.process."""
from __future__ import annotations

from helpers.local.gateway.process import (
    KEY_ENV,
    UPSTREAM_KEY,
    start_gateway,
    start_upstream,
)

__all__ = ["KEY_ENV", "UPSTREAM_KEY", "start_gateway", "start_upstream"]
