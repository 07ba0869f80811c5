"""The pure-Python header scan, twin of the native ``scan_headers`` (``rust/ingress``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from gati._pure.ids import new_request_id
from gati._tables import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    HEADER_SLOTS,
    RARE_SLOTS,
    REQUEST_ID,
    USER_AGENT,
)

__all__ = ["MAX_CONTENT_LENGTH", "content_length", "scan_headers"]

# A Content-Length past this (an exabyte and more, any number of digits) reads as this value:
# larger than any body limit, so it is a 413, and never a conversion of thousands of digits.
MAX_CONTENT_LENGTH: Final = 2**63 - 1
_ID_OK = re.compile(rb"[A-Za-z0-9._-]{1,128}\Z")
_slot = HEADER_SLOTS.get


def content_length(value: bytes) -> int:
    """ASCII digits → their value, saturated at ``MAX_CONTENT_LENGTH``; anything else → -1."""
    if not value.isdigit():  # bytes.isdigit: ASCII digits only, False when empty
        return -1
    digits = value.lstrip(b"0")
    return min(int(digits or b"0"), MAX_CONTENT_LENGTH) if len(digits) <= 19 else MAX_CONTENT_LENGTH


def scan_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[str, str | None, bytes | None, int | None, list[Any] | None]:
    """One pass: ``(request_id, user_agent, content_type, content_length, rare)``.

    A valid ``X-Request-ID`` is kept, else a new id is made; ``rare`` is None or the raw values
    of the rarer headers by slot (``gati._tables``). Later headers win.
    """
    request_id = user_agent = None
    content_type = length = None
    rare: list[Any] | None = None
    for name, value in headers:
        slot = _slot(name)
        if slot is None:
            continue
        if slot == USER_AGENT:
            user_agent = value.decode("latin-1")
        elif slot == CONTENT_TYPE:
            content_type = value
        elif slot == CONTENT_LENGTH:
            length = content_length(value)
        elif slot == REQUEST_ID:
            if _ID_OK.match(value):
                request_id = value.decode("ascii")
        else:
            if rare is None:
                rare = [None] * RARE_SLOTS
            rare[slot] = value
    return request_id or new_request_id(), user_agent, content_type, length, rare
