"""Immutable, hashable schema objects wrapping a core schema (docs/gtype.md §1, §3).

A ``Schema`` owns a private copy of its core dict, so nothing a caller does to a dict it passed in
or got back can change the schema; equality and hashing go through a frozen form of that dict,
which lets compiled validators be cached per schema.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

__all__ = ["Schema", "copy_core"]


def copy_core(value: Any) -> Any:
    """Deep-copy plain data (dicts, lists, tuples); callables, classes and scalars are shared."""
    if isinstance(value, dict):
        return {k: copy_core(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [copy_core(v) for v in value]
    return value


def _freeze(value: Any) -> Hashable:
    if isinstance(value, dict):
        return ("dict", tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_freeze(v) for v in value))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(_freeze(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, Hashable):
        return (type(value).__name__ if isinstance(value, int | float) else "", value)
    return ("id", id(value))


class Schema:
    """A GType schema: build it with ``gt.*``, read it with ``core()``."""

    __slots__ = ("_core", "_frozen", "_hash")

    _core: dict[str, Any]
    _frozen: Hashable
    _hash: int

    def __init__(self, core: dict[str, Any]) -> None:
        object.__setattr__(self, "_core", copy_core(core))
        object.__setattr__(self, "_frozen", _freeze(self._core))
        object.__setattr__(self, "_hash", hash(self._frozen))

    def core(self) -> dict[str, Any]:
        """A fresh copy of the core schema (plain data; mutate it freely)."""
        result: dict[str, Any] = copy_core(self._core)
        return result

    @property
    def kind(self) -> str:
        """The node's ``type``: ``"string"``, ``"object"``, ``"ref"`` …"""
        kind: str = self._core["type"]
        return kind

    @property
    def name(self) -> str | None:
        """The definition name given with ``name=``, if any."""
        name: str | None = self._core.get("name")
        return name

    @property
    def is_optional(self) -> bool:
        """Whether this schema was wrapped by ``gt.optional`` (a not-required property)."""
        return bool(self._core.get("optional", False))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Schema objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Schema objects are immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schema):
            return NotImplemented
        return self._hash == other._hash and self._frozen == other._frozen

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Schema({self._core!r})"

    def __reduce__(self) -> tuple[type[Schema], tuple[dict[str, Any]]]:
        return (Schema, (self._core,))
