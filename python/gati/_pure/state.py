"""Pure twin of the native state store: a dict, copied whole on snapshot and restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["StateSnapshot", "StateStore"]

_MISSING: Any = object()


def _check(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError("state keys must be str")
    return key


class _Reads:
    """The reads a store and its snapshots share: each value handed out is a copy."""

    __slots__ = ("_copy", "_d")

    def __init__(self, entries: dict[str, Any], copier: Callable[[Any], Any]) -> None:
        self._d = entries
        self._copy = copier

    def get(self, key: str, default: Any = None) -> Any:
        v = self._d.get(_check(key), _MISSING)
        return default if v is _MISSING else self._copy(v)

    def keys(self) -> list[str]:
        return list(self._d)

    def items(self) -> list[tuple[str, Any]]:
        c = self._copy
        return [(k, c(v)) for k, v in self._d.items()]

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key: object) -> bool:
        return _check(key) in self._d


class StateSnapshot(_Reads):
    """An immutable copy of a store's entries at one moment."""

    __slots__ = ()


class StateStore(_Reads):
    """The mutable, per-request store behind ``lctx.state``."""

    __slots__ = ()

    def __init__(self, copier: Callable[[Any], Any]) -> None:
        # set directly, not through super().__init__: one store is made per request
        self._d = {}
        self._copy = copier

    def set(self, key: str, value: Any) -> None:
        self._d[_check(key)] = self._copy(value)

    def delete(self, key: str) -> bool:
        return self._d.pop(_check(key), _MISSING) is not _MISSING

    def clean(self) -> None:
        self._d = {}

    def snapshot(self) -> StateSnapshot:
        return StateSnapshot(dict(self._d), self._copy)

    def restore(self, snapshot: object) -> None:
        if not isinstance(snapshot, StateSnapshot):
            raise TypeError("restore() takes a snapshot made by the same kind of store")
        self._d = dict(snapshot._d)

    def __getitem__(self, key: str) -> Any:
        v = self._d.get(_check(key), _MISSING)
        if v is _MISSING:
            raise KeyError(key)
        return self._copy(v)

    def __setitem__(self, key: str, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: str) -> None:
        if self._d.pop(_check(key), _MISSING) is _MISSING:
            raise KeyError(key)
