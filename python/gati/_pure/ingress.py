"""The pure-Python header scan, twin of the native ``scan_headers`` (``rust/ingress``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gati.context.ids import new_request_id

__all__ = ["RARE_SLOTS", "scan_headers"]

RARE_SLOTS = 10
_ID_OK = re.compile(rb"[A-Za-z0-9._-]{1,128}\Z")
# Header name → slot; 0-3 are read here, 4-9 are handed back raw for the rare path.
_slot = {
    b"content-type": 0,
    b"content-length": 1,
    b"x-request-id": 2,
    b"user-agent": 3,
    b"gati-version": 4,
    b"x-api-version": 5,
    b"gati-flags": 6,
    b"traceparent": 7,
    b"forwarded": 8,
    b"x-forwarded-for": 9,
}.get


def scan_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[str, str | None, bytes | None, int | None, list[Any] | None]:
    """One pass: ``(request_id, user_agent, content_type, content_length, rare)``.

    A valid ``X-Request-ID`` is kept, else a new id is made; ``rare`` is None or the raw values
    of the rarer headers by slot. Later headers win.
    """
    request_id = user_agent = None
    content_type = content_length = None
    rare: list[Any] | None = None
    for name, value in headers:
        slot = _slot(name)
        if slot is None:
            continue
        if slot == 3:
            user_agent = value.decode("latin-1")
        elif slot == 0:
            content_type = value
        elif slot == 1:
            content_length = int(value) if value.isdigit() else -1
        elif slot == 2:
            if _ID_OK.match(value):
                request_id = value.decode("ascii")
        else:
            if rare is None:
                rare = [None] * RARE_SLOTS
            rare[slot] = value
    return request_id or new_request_id(), user_agent, content_type, content_length, rare
