"""The state store of the active backend (native ``rpds`` map or the pure dict twin)."""

from __future__ import annotations

from typing import Any

from gati._backend import twin

__all__ = ["StateSnapshot", "StateStore", "copy_value", "new_store"]

StateStore: Any = twin("StateStore")
StateSnapshot: Any = twin("StateSnapshot")
copy_value: Any = twin("copy_value")


def new_store() -> Any:
    """A fresh, empty store with value semantics (docs/context.md)."""
    return StateStore(copy_value)
