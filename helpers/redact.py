"""Showing secrets safely: one rule for every place the course prints a key.

Kept outside `helpers.local` on purpose: the client helpers the notebooks import
(`helpers.backend`) need it, and they must not import the server's internals.
"""

from __future__ import annotations


def mask_key(key: str) -> str:
    """Show only the last 4 characters of a key, the way the course shows keys everywhere."""
    key = key or ""
    if len(key) <= 4:
        return "*" * len(key)
    return "*" * min(len(key) - 4, 12) + key[-4:]
