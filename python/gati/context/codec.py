"""JSON form of snapshot values: exact round-trip for JSON types and a few tagged extras.

Tagged as ``{"$gati": tag, "v": ...}``: tuple, set, frozenset, bytes (base64), dicts with
non-str keys or a ``"$gati"`` key, non-finite floats, ints beyond 64 bits, ``Secret`` (value
never written) and, for any other object, its ``repr`` (decoded as an ``Opaque``).
"""

from __future__ import annotations

import base64
import math
from typing import Any

from gati._tables import STATE_MAX_DEPTH as MAX_DEPTH
from gati.secrets.value import Secret

__all__ = ["Opaque", "decode", "encode"]

_TAG = "$gati"
_I64 = 2**63


class Opaque:
    """Stands in for a value that JSON could not carry; keeps its ``repr``."""

    __slots__ = ("repr",)

    def __init__(self, text: str) -> None:
        self.repr = text

    def __repr__(self) -> str:
        return f"Opaque({self.repr!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.repr == self.repr

    def __hash__(self) -> int:
        return hash((Opaque, self.repr))


def encode(value: Any, depth: int = 0) -> Any:
    """The JSON-able form of ``value``."""
    if depth > MAX_DEPTH:
        raise ValueError(f"value nested deeper than {MAX_DEPTH} levels (or cyclic)")
    d = depth + 1
    t = type(value)
    if value is None or t is str or t is bool:
        return value
    if t is int:
        return value if -_I64 <= value < _I64 else {_TAG: "int", "v": str(value)}
    if t is float:
        return value if math.isfinite(value) else {_TAG: "float", "v": repr(value)}
    if t is list:
        return [encode(v, d) for v in value]
    if t is dict:
        if all(type(k) is str for k in value) and _TAG not in value:
            return {k: encode(v, d) for k, v in value.items()}
        return {_TAG: "dict", "v": [[encode(k, d), encode(v, d)] for k, v in value.items()]}
    if t is tuple:
        return {_TAG: "tuple", "v": [encode(v, d) for v in value]}
    if t is set or t is frozenset:
        return {_TAG: t.__name__, "v": [encode(v, d) for v in value]}
    if t is bytes:
        return {_TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Secret):
        return {_TAG: "secret"}
    if t is Opaque:
        return {_TAG: "opaque", "v": value.repr}
    return {_TAG: "opaque", "v": repr(value)}


def decode(value: Any) -> Any:
    """Inverse of ``encode``."""
    if type(value) is list:
        return [decode(v) for v in value]
    if type(value) is not dict:
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: decode(v) for k, v in value.items()}
    v: Any = value.get("v")
    if tag == "int":
        return int(v)
    if tag == "float":
        return float(v)
    if tag == "dict":
        return {_key(decode(k)): decode(x) for k, x in v}
    if tag == "tuple":
        return tuple(decode(x) for x in v)
    if tag == "set":
        return {decode(x) for x in v}
    if tag == "frozenset":
        return frozenset(decode(x) for x in v)
    if tag == "bytes":
        return base64.b64decode(v)
    if tag == "secret":
        return Secret.redacted()
    if tag == "opaque":
        return Opaque(v)
    raise ValueError(f"unknown tag {tag!r} in snapshot JSON")


def _key(k: Any) -> Any:
    # JSON gives lists where tuples were; dict keys must be hashable.
    return tuple(_key(x) for x in k) if type(k) is list else k
