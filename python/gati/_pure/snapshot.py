"""Pure twin of the native snapshot record: the state is copied whole (O(n)), the rest kept."""

from __future__ import annotations

import time
from typing import Any

from gati._pure.state import StateSnapshot, StateStore

__all__ = ["Snapshot", "take_snapshot"]

_set = object.__setattr__


class Snapshot:
    """A request's state, phase, hook position and trace at one moment (``gati.Snapshot`` once
    ``gati.context.snapshot`` installs its views on it; read-only there)."""

    __slots__ = (
        "_state",
        "handler_version",
        "hook_index",
        "phase",
        "request_id",
        "taken_at",
        "trace",
        "tracked",
    )

    _state: StateSnapshot
    handler_version: Any
    hook_index: Any
    phase: Any
    request_id: Any
    taken_at: Any
    trace: Any
    tracked: Any

    def __new__(
        cls,
        store: object,
        request_id: Any,
        phase: Any,
        hook_index: Any,
        handler_version: Any,
        tracked: Any,
        trace: Any,
        taken_at: Any = None,
    ) -> Snapshot:
        if not isinstance(store, StateStore):
            raise TypeError("a snapshot is taken of a state store of the same backend")
        self = object.__new__(cls)
        _set(self, "_state", store.snapshot())
        _set(self, "request_id", request_id)
        _set(self, "taken_at", time.time_ns() if taken_at is None else taken_at)
        _set(self, "phase", phase)
        _set(self, "hook_index", hook_index)
        _set(self, "handler_version", handler_version)
        _set(self, "tracked", tracked)
        _set(self, "trace", trace)
        return self

    @property
    def state_store_snapshot(self) -> StateSnapshot:
        return self._state

    def new_store(self) -> StateStore:
        store = StateStore(self._state._copy)
        store.restore(self._state)
        return store


def take_snapshot(
    store: object,
    request_id: Any,
    phase: Any,
    hook_index: Any,
    handler_version: Any,
    tracked: Any,
    trace: Any,
) -> Snapshot:
    """``Snapshot(...)`` with the clock read now (the native one saves the type call)."""
    return Snapshot(store, request_id, phase, hook_index, handler_version, tracked, trace)
