"""Picks the state store of the active backend (native ``rpds`` map or the pure dict twin)."""

from __future__ import annotations

from typing import Any

from gati._backend import native
from gati.context import values

__all__ = ["StateSnapshot", "StateStore", "copy_value", "new_store"]

if native is not None:
    StateStore: Any = native.StateStore
    StateSnapshot: Any = native.StateSnapshot
    copy_value: Any = native.copy_value
else:
    from gati._pure import state as _pure_state

    StateStore = _pure_state.StateStore
    StateSnapshot = _pure_state.StateSnapshot
    copy_value = values.copy_value


def new_store() -> Any:
    """A fresh, empty store with value semantics (docs/context.md)."""
    return StateStore(copy_value)
