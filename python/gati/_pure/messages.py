"""The pure twin of the native ``response_messages`` (``rust/response``): the two ASGI
messages of a ``Response``."""

from __future__ import annotations

from operator import index
from typing import Any, Final, Protocol


class Response(Protocol):
    """What is read from ``gati.http.response.Response`` (this low layer does not import it)."""

    status_code: int
    headers: list[tuple[bytes, bytes]]

    def render(self) -> tuple[bytes, bytes | None]: ...


__all__ = ["response_messages"]

_NO_BODY: Final = frozenset({204, 304})
# Prebuilt header pairs: formatting b"%d" and making the tuple cost more than an index.
_CACHED_LENGTHS: Final = 4096
_LENGTHS: Final = tuple((b"content-length", b"%d" % n) for n in range(_CACHED_LENGTHS))
_JSON_MEDIA: Final = b"application/json"
_JSON_TYPE: Final = (b"content-type", _JSON_MEDIA)


def response_messages(
    method: str, res: Response, request_id: bytes
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(start, body)`` for ``res``: its body rendered (``res.render()``: JSON encoded once),
    then the messages built from its status, media type and headers."""
    body, media = res.render()
    extra = res.headers
    if not isinstance(extra, list):
        raise TypeError("res.headers must be a list of (name, value) pairs")
    return messages(method, res.status_code, body, media, extra, request_id)


def messages(
    method: str,
    status: int,
    body: bytes,
    media: bytes | None,
    extra: list[tuple[bytes, bytes]],
    request_id: bytes,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(start, body)`` for a response: ``status``, the rendered ``body`` and its ``media``
    type (or ``None``), the handler's ``extra`` headers and the ``request_id`` echoed in
    ``X-Request-ID``. A status outside 200–599 is a ``ValueError`` (a 1xx status is never a
    response's); 204 and 304 carry no body, length or type; a ``Content-Type`` among
    ``extra`` wins over ``media``; a ``Content-Length`` among ``extra`` must be the body's
    length (it is then sent once; another is a ``ValueError``, never two lengths on the
    wire); a ``HEAD`` request gets an empty body."""
    try:  # what ``res.status()`` accepts; anything else set on ``status_code`` is refused here
        code = index(status)
    except TypeError:
        code = 0
    if not 200 <= code <= 599:
        raise ValueError(f"invalid HTTP status {status!r}")
    if code in _NO_BODY:
        headers = [(b"x-request-id", request_id), *extra]
        body = b""
    else:
        n = len(body)
        length = _LENGTHS[n] if n < _CACHED_LENGTHS else (b"content-length", b"%d" % n)
        headers = [length, (b"x-request-id", request_id)]
        sized = False
        if extra:
            for name, value in extra:
                if name == b"content-type":
                    media = None
                elif name == b"content-length":
                    if not isinstance(value, bytes) or value.strip(b" \t") != length[1]:
                        raise ValueError(
                            f"res sets Content-Length {value!r}, but the body is {n} bytes"
                        )
                    sized = True
        if media == _JSON_MEDIA:
            headers.append(_JSON_TYPE)
        elif media is not None:
            headers.append((b"content-type", media))
        if extra:
            headers += [p for p in extra if p[0] != b"content-length"] if sized else extra
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": b"" if method == "HEAD" else body},
    )
