"""``Snapshot``: an immutable record of a Local Context at one moment (Property 21, 47).

``gati.Snapshot`` is the active backend's record class itself (``gati._native.Snapshot`` or
its pure twin) with the views below installed on it once, at import: ``lctx.snapshot()`` is
then one native call that makes the very object the user gets. (A Python subclass of the
record cost a type call with an argument tuple and a subclass instance: 2,490 instructions per
``lctx.snapshot()``, against 1,790 with ``take_snapshot``.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import orjson

from gati._backend import twin
from gati.context import codec
from gati.context.store import copy_value, new_store

__all__ = ["Snapshot", "take_snapshot"]

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

    Taking one is O(1) on the native backend: the record shares the state store's persistent
    map and reads the clock in the same call; the views below build Python values only when
    they are read. Made by ``lctx.snapshot()`` and ``Snapshot.from_json``:
    ``Snapshot(store, request_id, phase, hook_index, handler_version, tracked, trace,
    taken_at=None)``, ``taken_at`` (ns) now when omitted.
    """

    __slots__ = ()

    request_id: str
    taken_at: int
    phase: str
    hook_index: int
    handler_version: str | None
    tracked: tuple[tuple[str | None, str], ...]
    trace: tuple[Any, ...]
    state_store_snapshot: Any

    if TYPE_CHECKING:  # the record's own constructor and method (the backend defines them)

        def __init__(
            self,
            store: Any,
            request_id: str,
            phase: str,
            hook_index: int,
            handler_version: str | None,
            tracked: tuple[tuple[str | None, str], ...],
            trace: tuple[Any, ...],
            taken_at: int | None = None,
        ) -> None: ...

        def new_store(self) -> Any: ...

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("a Snapshot is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a Snapshot is immutable")

    @property
    def state(self) -> dict[str, Any]:
        """The state at the moment of the snapshot (a fresh copy, in key order)."""
        return dict(self.state_store_snapshot.items())

    @property
    def outstanding(self) -> tuple[dict[str, Any], ...]:
        """Tracked tasks as ``{"name", "status"}`` with status pending, fulfilled or rejected."""
        return tuple({"name": n, "status": s} for n, s in self.tracked)

    @property
    def events(self) -> tuple[dict[str, Any], ...]:
        """The request's trace: its ``log`` records and ``publish``-ed events (copies)."""
        return tuple(copy_value(e) for e in self.trace)

    def as_dict(self) -> dict[str, Any]:
        """Every field as plain values."""
        return {f: getattr(self, f) for f in _FIELDS}

    def to_json(self) -> str:
        """JSON text; secrets are written as redacted markers, never their values."""
        d = self.as_dict()
        d["state"] = [[k, codec.encode(v)] for k, v in self.state_store_snapshot.items()]
        d["events"] = [codec.encode(e) for e in self.trace]
        d["outstanding"] = [list(o) for o in self.tracked]
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
            store,
            d["request_id"],
            d["phase"],
            d["hook_index"],
            d["handler_version"],
            tuple((n, s) for n, s in d["outstanding"]),
            tuple(codec.decode(e) for e in d["events"]),
            d["taken_at"],
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Snapshot):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Snapshot(request_id={self.request_id!r}, phase={self.phase!r}, "
            f"keys={self.state_store_snapshot.keys()!r}, hook_index={self.hook_index})"
        )


def _installed(views: type, record: type) -> type:
    """``record`` with every method, property and docstring of ``views`` set on it, named
    ``gati.Snapshot`` on both backends."""
    skip = {"__module__", "__qualname__", "__slots__", "__annotations__", "__dict__"}
    for name, value in vars(views).items():
        if name not in skip:
            setattr(record, name, value)
    record.__module__ = "gati"
    return record


if not TYPE_CHECKING:
    Snapshot = _installed(Snapshot, twin("Snapshot"))

# ``take_snapshot(store, request_id, phase, hook_index, handler_version, tracked, trace)``:
# ``Snapshot(...)`` as a plain function call, the clock read now (what ``lctx.snapshot()`` calls).
take_snapshot: Callable[..., Snapshot] = twin("take_snapshot")
