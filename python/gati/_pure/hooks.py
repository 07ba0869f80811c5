"""Pure twin of the native hook planner (``gati._native.plan_hooks``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gati._tables import HOOK_KINDS, PLAN_LEVELS

__all__ = ["plan_hooks"]

_KINDS = {kind: code for code, kind in enumerate(HOOK_KINDS)}
_LEVELS = {level: code for code, level in enumerate(PLAN_LEVELS)}


def plan_hooks(hooks: Sequence[Any]) -> tuple[list[int], list[int], list[int]]:
    """Indexes of the before, after and catch chains of ``hooks``, in the order they run."""
    items: list[tuple[int, int, int, int]] = []
    seen: set[tuple[int, int, str]] = set()
    for index, hook in enumerate(hooks):
        try:
            kind, level, priority, hid = hook.kind, hook.level, hook.priority, hook.id
        except AttributeError:
            raise TypeError("plan_hooks() takes a sequence of Hook") from None
        if kind not in _KINDS:
            raise ValueError(f"hook kind must be 'before', 'after' or 'catch', not {kind!r}")
        if level not in _LEVELS:
            raise ValueError(f"a route plan takes 'global' and 'route' hooks, not {level!r}")
        k, lv = _KINDS[kind], _LEVELS[level]
        if (k, lv, hid) in seen:
            raise ValueError(
                f"duplicate {level} {kind} hook id {hid!r}: give one of them another id="
            )
        seen.add((k, lv, hid))
        items.append((lv, -priority, index, k))
    items.sort(key=lambda it: (it[0], it[1]))

    def chain(kind: int, reverse: bool) -> list[int]:
        idx = [it[2] for it in items if it[3] == kind]
        return idx[::-1] if reverse else idx

    return chain(0, False), chain(1, True), chain(2, True)
