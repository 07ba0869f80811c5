"""The response builder handed to handlers and hooks: ``res.status(201).json(value)``.

Every writer sets ``written``, which is how the lifecycle knows a catch hook answered the
request. JSON is kept as a value until the response is sent, so response validation sees
the value and the body is encoded exactly once. A JSON value is held in ``_payload`` with
``_body`` ``None`` (raw bytes in ``_body`` otherwise): ``response_messages`` reads these slots
directly (``rust/response``, pure twin ``gati._pure.messages``).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterable, Iterable
from datetime import datetime
from typing import Any

import orjson

from gati.http.cookies import SameSite, set_cookie_header
from gati.http.encoding import encode_json
from gati.http.streaming import file_response, sse_response, stream_response

__all__ = ["JSON_MEDIA", "Response"]

JSON_MEDIA = b"application/json"
_TEXT_MEDIA = b"text/plain; charset=utf-8"
_dumps = orjson.dumps
# RFC 9110 §5.1 and §5.5: a field name is a token; a value never holds CR, LF or NUL (a
# server would refuse the response, or split it in two). Checked names are kept, lowered and
# encoded: the check costs a dict lookup for a name seen before.
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+").fullmatch
_KEYS: dict[str, bytes] = {}


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    """``(name, value)`` as response header bytes; a ``ValueError`` for a name that is no
    token or a value with CR, LF or NUL, a ``TypeError`` for a value that is no string."""
    key = _KEYS.get(name)
    if key is None:
        if type(name) is not str or not _NAME(name):
            raise ValueError(f"invalid header name {name!r}")
        key = name.lower().encode("latin-1")
        if len(_KEYS) < 1024:
            _KEYS[name] = key
    if type(value) is not str:
        raise TypeError(f"header {name!r} takes a str value, not {type(value).__name__}")
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(f"header {name}: a value must not contain CR, LF or NUL: {value!r}")
    return key, value.encode("latin-1")


class Response:
    """Status, headers and body of the response being built."""

    __slots__ = (
        "_body",
        "_media_type",
        "_payload",
        "asgi",
        "headers",
        "status_code",
        "written",
    )

    def __init__(self) -> None:
        self.status_code = 200
        self.headers: list[tuple[bytes, bytes]] = []
        self.written = False
        self._payload: Any = None
        self._body: bytes | None = b""
        self._media_type: bytes | None = None
        self.asgi: Any = None

    def status(self, code: int) -> Response:
        """Set the status code."""
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            raise ValueError(f"invalid HTTP status {code!r}")
        self.status_code = code
        self.written = True
        return self

    def header(self, name: str, value: str) -> Response:
        """Set a header, replacing any earlier value of that name. A ``Content-Type`` set
        here wins over the media type of ``text()``/``send()``/``json()``, whichever comes
        first. Repeat a header with ``add_header``."""
        pair = _header(name, value)
        if self.headers:
            key = pair[0]
            self.headers = [p for p in self.headers if p[0] != key]
        self.headers.append(pair)
        self.written = True
        return self

    def add_header(self, name: str, value: str) -> Response:
        """Add one more value of a header (``Link``, ``Vary``…); earlier values stay."""
        self.headers.append(_header(name, value))
        self.written = True
        return self

    def json(self, value: Any) -> Response:
        """Send ``value`` as JSON (validated against the route's response schema, if any)."""
        self._payload = value
        self._body = None
        self._media_type = JSON_MEDIA
        self.written = True
        return self

    def text(self, value: str) -> Response:
        """Send ``value`` as UTF-8 plain text."""
        return self.send(value.encode("utf-8"), _TEXT_MEDIA)

    def send(self, body: bytes, media_type: str | bytes = b"application/octet-stream") -> Response:
        """Send raw bytes with the given media type."""
        if body is None:
            raise TypeError("send() takes the body as bytes, not None")
        self._payload = None
        self._body = body
        self._media_type = (
            media_type.encode("latin-1") if isinstance(media_type, str) else media_type
        )
        self.written = True
        return self

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: SameSite | None = "lax",
        partitioned: bool = False,
    ) -> Response:
        """Add a ``Set-Cookie`` header (Starlette's attributes and defaults)."""
        header = set_cookie_header(
            key,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )
        return self.add_header("set-cookie", header)

    def delete_cookie(
        self,
        key: str,
        *,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: SameSite | None = "lax",
    ) -> Response:
        """Expire a cookie (same ``path``/``domain`` as when it was set)."""
        return self.set_cookie(
            key,
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    def stream(
        self, chunks: AsyncIterable[Any] | Iterable[Any], media_type: str | None = None
    ) -> Response:
        """Stream ``bytes``/``str`` chunks as they come (set the status first). Cleanup
        callbacks run after the last chunk; a client disconnect closes the iterator."""
        return self.delegate(stream_response(chunks, self.status_code, media_type))

    def sse(
        self, events: AsyncIterable[Any] | Iterable[Any], *, ping: float | None = 15.0
    ) -> Response:
        """Server-Sent Events: each item a ``ServerSentEvent`` (event, id, retry) or the data
        of one (text, else JSON); a ``: ping`` comment keeps an idle stream alive every
        ``ping`` seconds. A client disconnect closes the iterator."""
        return self.delegate(sse_response(events, self.status_code, ping))

    def file(
        self,
        path: str | os.PathLike[str],
        *,
        filename: str | None = None,
        media_type: str | None = None,
        inline: bool = False,
    ) -> Response:
        """Send a file, with ``Range`` (206/416), ``ETag`` and ``Last-Modified`` (Starlette's
        ``FileResponse``); a missing file is a 404. ``filename`` adds a download name."""
        return self.delegate(
            file_response(
                path, self.status_code, filename=filename, media_type=media_type, inline=inline
            )
        )

    def delegate(self, response: Any) -> Response:
        """Answer with an ASGI response object (a Starlette ``Response``) instead."""
        self.asgi = response
        self.written = True
        return self

    @property
    def has_body(self) -> bool:
        """Whether a body (JSON, text, bytes or a delegated response) was set."""
        return self._media_type is not None or self.asgi is not None

    @property
    def has_json(self) -> bool:
        """Whether the body is a JSON value (the one response validation checks)."""
        return self._body is None

    @property
    def payload(self) -> Any:
        """The JSON value set by ``json()`` (``None`` when the body is not JSON)."""
        return self._payload

    def render(self) -> tuple[bytes, bytes | None]:
        """The encoded body and its media type."""
        if self._body is None:
            try:
                return _dumps(self._payload), self._media_type
            except TypeError:  # not plain JSON: Decimal, set, bytes, a pydantic model…
                return encode_json(self._payload), self._media_type
        return self._body, self._media_type
