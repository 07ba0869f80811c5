"""The named conversions a schema's ``convert`` key may ask for (docs/gtype.md §9).

``Validator.convert`` builds Python objects from validated JSON values; for scalars it calls the
node's converter with the value. These are the converters behind the names ``gt.from_type``
writes (``"uuid"``, ``"datetime"`` …); a schema may also name any callable. A converter that
raises ``ValueError`` or ``AssertionError`` turns into a ``custom`` error at the value's path.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["CONVERTERS", "to_bytes", "to_date", "to_datetime", "to_decimal", "to_time"]


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
