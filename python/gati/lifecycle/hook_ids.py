"""Default hook ids made unique: hooks built by one factory share a qualified name
(``make_logger.<locals>.hook``), so the second registered in a chain is ``…#2``, the third
``…#3``. Only an explicit ``id=`` may collide, and then the planner's duplicate error is the
right answer. Also ``HookKind``, the kinds as a ``Literal`` for typed registration APIs."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Literal

__all__ = ["HookKind", "unique_hook_id"]

HookKind = Literal["before", "after", "catch"]


def unique_hook_id(fn: Callable[..., Any], taken: Collection[str]) -> str:
    """The id ``Hook`` would give ``fn`` (its qualified name, else its repr), with a ``#n``
    suffix when ``taken`` already holds it."""
    base = getattr(fn, "__qualname__", None) or repr(fn)
    if base not in taken:
        return base
    n = 2
    while f"{base}#{n}" in taken:
        n += 1
    return f"{base}#{n}"
