"""``Snapshot``: an immutable record of a Local Context at one moment (Property 21, 47)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import orjson

from gati.context import codec
from gati.context.store import copy_value, new_store

__all__ = ["Snapshot"]

_FIELDS = (
    "request_id",
    "taken_at",
    "phase",
    "state",
    "outstanding",
    "hook_index",
    "handler_version",
    "events",
)


class Snapshot:
    """State, phase, outstanding-task records, hook position and trace of one request.

    Immutable: attributes cannot be set, and ``state``, ``outstanding`` and ``events`` return
    fresh copies on every access, so nothing done to them reaches the snapshot.
    """

    __slots__ = (
        "_events",
        "_outstanding",
        "_state",
        "handler_version",
        "hook_index",
        "phase",
        "request_id",
        "taken_at",
    )

    _state: Any
    _outstanding: tuple[tuple[str | None, str], ...]
    _events: tuple[Any, ...]
    request_id: str
    taken_at: int
    phase: str
    hook_index: int
    handler_version: str | None

    def __init__(
        self,
        *,
        request_id: str,
        taken_at: int,
        phase: str,
        state: Any,
        outstanding: tuple[tuple[str | None, str], ...],
        hook_index: int,
        handler_version: str | None,
        events: tuple[Any, ...],
    ) -> None:
        init = object.__setattr__
        init(self, "request_id", request_id)
        init(self, "taken_at", taken_at)
        init(self, "phase", phase)
        init(self, "_state", state)
        init(self, "_outstanding", outstanding)
        init(self, "hook_index", hook_index)
        init(self, "handler_version", handler_version)
        init(self, "_events", events)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("a Snapshot is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a Snapshot is immutable")

    @property
    def state(self) -> dict[str, Any]:
        """The state at the moment of the snapshot (a fresh copy, in key order)."""
        return dict(self._state.items())

    @property
    def state_store_snapshot(self) -> Any:
        """The backend's frozen state (for ``LocalContext.restore``)."""
        return self._state

    @property
    def outstanding(self) -> tuple[dict[str, Any], ...]:
        """Tracked tasks as ``{"name", "status"}`` with status pending, fulfilled or rejected."""
        return tuple({"name": n, "status": s} for n, s in self._outstanding)

    @property
    def events(self) -> tuple[dict[str, Any], ...]:
        """The request's trace: its ``log`` records and ``publish``-ed events (copies)."""
        return tuple(copy_value(e) for e in self._events)

    def as_dict(self) -> dict[str, Any]:
        """Every field as plain values."""
        return {f: getattr(self, f) for f in _FIELDS}

    def to_json(self) -> str:
        """JSON text; secrets are written as redacted markers, never their values."""
        d = self.as_dict()
        d["state"] = [[k, codec.encode(v)] for k, v in self._state.items()]
        d["events"] = [codec.encode(e) for e in self._events]
        d["outstanding"] = [list(o) for o in self._outstanding]
        return orjson.dumps(d).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> Snapshot:
        """Rebuild a snapshot written by ``to_json``."""
        d = orjson.loads(text)
        if not isinstance(d, Mapping) or set(d) != set(_FIELDS):
            raise ValueError(f"snapshot JSON must be an object with the fields {_FIELDS}")
        store = new_store()
        for k, v in d["state"]:
            store.set(k, codec.decode(v))
        return cls(
            request_id=d["request_id"],
            taken_at=d["taken_at"],
            phase=d["phase"],
            state=store.snapshot(),
            outstanding=tuple((n, s) for n, s in d["outstanding"]),
            hook_index=d["hook_index"],
            handler_version=d["handler_version"],
            events=tuple(codec.decode(e) for e in d["events"]),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Snapshot):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Snapshot(request_id={self.request_id!r}, phase={self.phase!r}, "
            f"keys={self._state.keys()!r}, hook_index={self.hook_index})"
        )
