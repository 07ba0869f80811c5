"""Whether a ``str`` is Unicode text: the one check that the schema planner and the pure twins
share, written once (a leaf, like ``_tables``).

A Python ``str`` may hold lone surrogates, which are not text: JSON cannot carry them and the
native backend's strings (UTF-8) cannot hold them, so names and paths holding one are refused
the same way on both backends.
"""

from __future__ import annotations

__all__ = ["is_text"]


def is_text(s: str) -> bool:
    """Whether ``s`` encodes as UTF-8 (it holds no lone surrogate)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
