"""Deep read-only views for ``gctx.config``: every write raises ``TypeError`` (Property 32)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

__all__ = ["ReadOnlyList", "ReadOnlyMapping", "ReadOnlySet", "freeze"]


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("gctx.config is read-only")


class ReadOnlyMapping(Mapping[Any, Any]):
    """A mapping that refuses every write."""

    __slots__ = ("_d",)

    def __init__(self, data: Mapping[Any, Any]) -> None:
        object.__setattr__(self, "_d", {k: freeze(v) for k, v in data.items()})

    def __getitem__(self, key: Any) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"ReadOnlyMapping({self._d!r})"

    def __or__(self, other: Any) -> dict[Any, Any]:
        return {**self._d, **other}

    __setitem__ = __delitem__ = __setattr__ = __delattr__ = __ior__ = _refuse
    update = pop = popitem = setdefault = clear = _refuse


class ReadOnlyList(tuple[Any, ...]):
    """A tuple that answers list-style writes with ``TypeError``."""

    __slots__ = ()

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse


class ReadOnlySet(frozenset[Any]):
    """A frozenset that answers set-style writes with ``TypeError``."""

    __slots__ = ()

    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse
    add = discard = remove = pop = clear = update = _refuse
    difference_update = intersection_update = symmetric_difference_update = _refuse


def freeze(value: Any) -> Any:
    """Deep read-only form of mappings, lists, tuples and sets; other values as they are."""
    if isinstance(value, ReadOnlyMapping | ReadOnlyList | ReadOnlySet):
        return value
    if isinstance(value, Mapping):
        return ReadOnlyMapping(value)
    if isinstance(value, list | tuple):
        return ReadOnlyList(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return ReadOnlySet(value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value
