"""The pure-Python ingress twins (``rust/ingress``): ``scan_headers`` walks the header list
once; ``read_ingress`` reads a whole scope (headers, client, query) into an ``Ingress``."""

from __future__ import annotations

import re
import time
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

__all__ = [
    "MAX_CONTENT_LENGTH",
    "Ingress",
    "content_length",
    "read_ingress",
    "read_ingress_head",
    "scan_headers",
]

# A Content-Length past this (an exabyte and more, any number of digits) reads as this value:
# larger than any body limit, so it is a 413, and never a conversion of thousands of digits.
MAX_CONTENT_LENGTH: Final = 2**63 - 1
_ID_OK = re.compile(rb"[A-Za-z0-9._-]{1,128}\Z")
_slot = HEADER_SLOTS.get
_NO_RARE: Final[tuple[None, ...]] = (None,) * RARE_SLOTS


def _bytes(value: Any) -> bytes:
    """A header value the scan reads, which must be bytes (as the native scan checks)."""
    if not isinstance(value, bytes):
        raise TypeError("header values must be bytes")
    return value


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
            user_agent = _bytes(value).decode("latin-1")
        elif slot == CONTENT_TYPE:
            content_type = value
        elif slot == CONTENT_LENGTH:
            length = content_length(_bytes(value))
        elif slot == REQUEST_ID:
            if _ID_OK.match(_bytes(value)):
                request_id = value.decode("ascii")
        else:
            if rare is None:
                rare = [None] * RARE_SLOTS
            rare[slot] = value
    return request_id or new_request_id(), user_agent, content_type, length, rare


class Ingress:
    """What the request line and headers say (``read_ingress``); ``rare`` holds the raw values
    of the rarer headers by slot when the rarer-header pass has work to do, else ``None``.

    Unset fields read their class-level default, so a request with few headers costs few
    attribute writes.
    """

    request_id: str = ""
    version_requested: str | None = None
    flags: frozenset[str] = frozenset()
    trace_id: str | None = None
    traceparent: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    content_type: bytes | None = None
    content_length: int | None = None
    rare: list[Any] | None = None


def read_ingress(scope: dict[str, Any]) -> Ingress:
    """Read an ASGI ``http`` or ``websocket`` scope into an ``Ingress``: the header scan, the
    client address, and whether the query string asks for a version (``rare`` is then a list
    even without rarer headers)."""
    request_id, user_agent, content_type, content_length, rare = scan_headers(scope["headers"])
    info = Ingress()
    info.request_id = request_id
    info.user_agent = user_agent
    info.content_type = content_type
    info.content_length = content_length
    client = scope.get("client")
    info.client_ip = client[0] if client else None
    query = scope.get("query_string")
    if rare is None and query and b"version=" in query:
        rare = list(_NO_RARE)
    info.rare = rare
    return info


def read_ingress_head(
    scope: dict[str, Any],
) -> tuple[Ingress, str, int | None, frozenset[str], str | None, list[Any] | None, bytes, float]:
    """``read_ingress``, and with the record the fields the app reads of every request:
    ``(info, request_id, content_length, flags, trace_id, rare, request_id_bytes,
    started_at)`` — the id's ASCII bytes and the wall-clock time of the request's start."""
    started_at = time.time()
    info = read_ingress(scope)
    rid = info.request_id
    return (
        info,
        rid,
        info.content_length,
        info.flags,
        info.trace_id,
        info.rare,
        rid.encode("ascii"),
        started_at,
    )
