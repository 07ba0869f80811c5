"""``unique_items``: the first array item equal, as JSON, to an earlier one (docs/gtype.md §4).

JSON equality: ``1 == 1.0``; ``True`` apart from ``1``, in values and in dict keys alike; NaN
equal to nothing, itself included; lists and tuples by content; dicts by key and value.
Subclasses of the JSON types are read as their base type.

Linear: each item gets a canonical hashable key (equal keys for JSON-equal items) and a set
finds repeats. Only items that have no key (an unhashable non-JSON value somewhere inside, or
nesting deeper than ``CANON_DEPTH``) are compared pairwise — with every other item — so the
quadratic part is bounded by what no JSON document holds. The native twin builds the same
keys in the same order (``rust/gtype/unique.rs``), so both call user ``__hash__``/``__eq__``
the same way and any exception they raise propagates from both alike.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SCALAR_KINDS", "first_repeat", "json_eq", "json_kind"]

# Items nested deeper than this get no key and are compared pairwise.
CANON_DEPTH = 64


class _NoKey(Exception):
    """The item has no canonical key."""


def _canon(value: Any, depth: int, nan: list[int]) -> Any:
    if isinstance(value, bool):
        return ("b", value is True)
    if isinstance(value, str):  # strings, ints and floats are their own keys
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        x = float.__float__(value)
        if math.isnan(x):  # equal to nothing: a key no other item has
            nan[0] += 1
            return ("x", nan[0])
        return x
    if value is None:
        return ("z",)
    if depth >= CANON_DEPTH:
        raise _NoKey
    if isinstance(value, list | tuple):
        return ("l", *[_canon(x, depth + 1, nan) for x in _items(value)])
    if isinstance(value, dict):
        pairs = frozenset(
            (_canon(k, depth + 1, nan), _canon(x, depth + 1, nan)) for k, x in dict.items(value)
        )
        return ("d", pairs)
    try:
        hash(value)
    except TypeError:
        raise _NoKey from None
    return ("o", value)


def _items(value: list[Any] | tuple[Any, ...]) -> list[Any] | tuple[Any, ...]:
    """The items of a list or tuple, subclasses read as their base type."""
    return list.copy(value) if isinstance(value, list) else tuple.__getitem__(value, slice(None))


SCALAR_KINDS = frozenset({"bool", "str", "num", "null"})


def json_kind(value: Any) -> str:
    """The JSON kind of a value: literal/enum matching, tags and equality go by it."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, int | float):
        return "num"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "seq"
    return "dict" if isinstance(value, dict) else "other"


def json_eq(a: Any, b: Any, depth: int = 0) -> bool:
    """JSON equality of two values (the pairwise comparison for items without a key)."""
    ka, kb = json_kind(a), json_kind(b)
    if ka != kb:
        return False
    if ka in SCALAR_KINDS:
        nan: list[int] = [0]
        return bool(_canon(a, 0, nan) == _canon(b, 0, nan))
    if depth >= CANON_DEPTH or ka == "other":
        return bool(a == b)
    if ka == "seq":
        xs, ys = _items(a), _items(b)
        return len(xs) == len(ys) and all(
            json_eq(x, y, depth + 1) for x, y in zip(xs, ys, strict=True)
        )
    da, db = dict.items(a), dict.items(b)
    if len(da) != len(db):
        return False
    for key, x in da:
        match = next((y for key_b, y in db if json_eq(key, key_b, depth + 1)), _MISSING)
        if match is _MISSING or not json_eq(x, match, depth + 1):
            return False
    return True


_MISSING: Any = object()


def first_repeat(items: Any) -> tuple[bool, Any]:
    """``(True, item)`` for the first item equal (as JSON) to an earlier one, else
    ``(False, None)``."""
    seen: set[Any] = set()
    keyless: list[Any] = []
    earlier: list[Any] = []
    nan = [0]
    for item in items:
        t = type(item)
        if t is int or t is str:  # the common case, without a call
            key = item
        else:
            try:
                key = _canon(item, 0, nan)
            except _NoKey:
                if any(json_eq(item, e) for e in earlier):
                    return True, item
                keyless.append(item)
                earlier.append(item)
                continue
        if key in seen or (keyless and any(json_eq(item, e) for e in keyless)):
            return True, item
        seen.add(key)
        earlier.append(item)
    return False, None
