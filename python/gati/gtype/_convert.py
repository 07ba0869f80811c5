"""The named conversions a schema's ``convert`` key may ask for (docs/gtype.md §9).

``Validator.convert`` builds Python objects from validated JSON values; for scalars it calls the
node's converter with the value. These are the converters behind the names ``gt.from_type``
writes (``"uuid"``, ``"datetime"`` …); a schema may also name any callable. A converter that
raises ``ValueError`` or ``AssertionError`` turns into a ``custom`` error at the value's path.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import inspect
import uuid
from collections.abc import Callable
from typing import Any

__all__ = [
    "CONVERTERS",
    "fills_instance_dict",
    "to_bytes",
    "to_date",
    "to_datetime",
    "to_decimal",
    "to_time",
]


def to_datetime(text: str) -> dt.datetime:
    """An RFC 3339 ``date-time`` (``t``/``z`` in either case; digits past microseconds cut)."""
    return dt.datetime.fromisoformat(text.upper())


def to_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date."""
    return dt.date.fromisoformat(text)


def to_time(text: str) -> dt.time:
    """An RFC 3339 ``time``, with or without an offset."""
    return dt.time.fromisoformat(text.upper())


def to_decimal(value: str | int | float) -> decimal.Decimal:
    """A ``Decimal`` from a JSON number (a float through its shortest repr) or a numeric string."""
    try:
        return decimal.Decimal(repr(value) if isinstance(value, float) else value)
    except decimal.InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None


def to_bytes(text: str) -> bytes:
    """Standard base64 (RFC 4648 §4, padded), as pydantic and FastAPI send ``bytes``."""
    return base64.b64decode(text, validate=True)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "uuid": uuid.UUID,
    "datetime": to_datetime,
    "date": to_date,
    "time": to_time,
    "decimal": to_decimal,
    "bytes": to_bytes,
}


def fills_instance_dict(node: dict[str, Any]) -> bool:
    """Whether an object node's ``convert`` class may be built as pydantic-core builds a
    dataclass: a bare instance whose ``__dict__`` is the converted fields, skipping ``__init__``.

    Only where that is exactly what ``cls(**fields)`` would give, for every value the node
    accepts: a concrete dataclass with ``object.__new__``, its generated ``__init__`` and no
    ``__post_init__``, instances with
    a ``__dict__`` and no slots, every field an ``init`` field and a property, every property a
    field, and every field that may be missing filled from the same schema ``default``.
    """
    cls = node.get("convert")
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        return False
    init = cls.__dict__.get("__init__")
    generated = getattr(getattr(init, "__code__", None), "co_filename", None) == "<string>"
    if not generated or hasattr(cls, "__post_init__") or node.get("extra", "ignore") != "ignore":
        return False
    if cls.__new__ is not object.__new__ or inspect.isabstract(cls):
        return False
    if any("__slots__" in vars(base) for base in cls.__mro__[:-1]):
        return False
    props, required = node["properties"], set(node.get("required", ()))
    fields = dataclasses.fields(cls)
    if {f.name for f in fields} != set(props) or not all(f.init for f in fields):
        return False
    for f in fields:
        if f.name in required:
            continue
        if f.default is dataclasses.MISSING or "default" not in props[f.name]:
            return False
        default = props[f.name]["default"]
        if type(default) is not type(f.default) or default != f.default:
            return False
    return True
