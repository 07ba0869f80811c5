"""Rendering error paths for people: ``("items", 0, "name")`` → ``items[0].name``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["format_path"]


def format_path(path: Sequence[str | int]) -> str:
    """Render an error path; the empty path is ``(root)``."""
    if not path:
        return "(root)"
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)
