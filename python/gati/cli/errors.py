"""The one error the CLI turns into a single line and exit code 2."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """Something the user asked for cannot be done as asked (the message says why)."""
