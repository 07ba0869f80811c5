"""RFC 9457 problem details (``application/problem+json``) and ``HTTPError`` for handlers."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson

from gati.errors import GatiError
from gati.http.header_fields import header_field

__all__ = ["PROBLEM_JSON", "HTTPError", "problem_body", "title_for"]

PROBLEM_JSON = b"application/problem+json"


def title_for(status: int) -> str:
    """The standard reason phrase for ``status`` (``"Error"`` for unknown codes)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class HTTPError(GatiError):
    """Raise from a handler or hook to answer with ``status`` and a problem+json body.

    ``extra`` adds members to the problem object; ``headers`` are added to the response
    (for example ``Allow`` on 405 or ``Retry-After`` on 429); one that cannot be sent as a
    header field (CR or LF in its value…) is a ``ValueError`` here, where it is made.
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError(f"HTTPError status must be an int, 4xx or 5xx, not {status!r}")
        self.status = status
        self.detail = detail if detail is not None else title_for(status)
        self.title = title or title_for(status)
        self.headers = dict(headers or {})
        for name, value in self.headers.items():
            header_field(name, value)
        self.extra = dict(extra or {})
        super().__init__(status, self.detail)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def _default(value: object) -> object:
    """Make any leftover value (a tuple path is already a list) printable in a problem."""
    return repr(value)


def problem_body(
    status: int,
    detail: str,
    request_id: str,
    *,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """Encode one problem object; ``type`` stays ``about:blank`` as RFC 9457 §4.2 suggests."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or title_for(status),
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if extra:
        body.update(extra)
    return orjson.dumps(body, default=_default, option=orjson.OPT_NON_STR_KEYS)
