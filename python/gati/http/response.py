"""The response builder handed to handlers and hooks: ``res.status(201).json(value)``.

Every writer sets ``written``, which is how the lifecycle knows a catch hook answered the
request. JSON is kept as a value until the response is sent, so response validation sees
the value and the body is encoded exactly once.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["JSON_MEDIA", "Response"]

JSON_MEDIA = b"application/json"
_TEXT_MEDIA = b"text/plain; charset=utf-8"
_NOTHING: Any = object()


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
        self._payload: Any = _NOTHING
        self._body = b""
        self._media_type: bytes | None = None
        self.asgi: Any = None

    def status(self, code: int) -> Response:
        """Set the status code."""
        if not 100 <= code <= 599:
            raise ValueError(f"invalid HTTP status {code}")
        self.status_code = code
        self.written = True
        return self

    def header(self, name: str, value: str) -> Response:
        """Add a header (repeatable names such as ``Set-Cookie`` may be added several times)."""
        self.headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        self.written = True
        return self

    def json(self, value: Any) -> Response:
        """Send ``value`` as JSON (validated against the route's response schema, if any)."""
        self._payload = value
        self._media_type = JSON_MEDIA
        self.written = True
        return self

    def text(self, value: str) -> Response:
        """Send ``value`` as UTF-8 plain text."""
        return self.send(value.encode("utf-8"), _TEXT_MEDIA)

    def send(self, body: bytes, media_type: str | bytes = b"application/octet-stream") -> Response:
        """Send raw bytes with the given media type."""
        self._payload = _NOTHING
        self._body = body
        self._media_type = (
            media_type.encode("latin-1") if isinstance(media_type, str) else media_type
        )
        self.written = True
        return self

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
        return self._payload is not _NOTHING

    @property
    def payload(self) -> Any:
        """The JSON value set by ``json()`` (``None`` when the body is not JSON)."""
        return None if self._payload is _NOTHING else self._payload

    def render(self) -> tuple[bytes, bytes | None]:
        """The encoded body and its media type."""
        if self._payload is not _NOTHING:
            return orjson.dumps(self._payload), self._media_type
        return self._body, self._media_type
