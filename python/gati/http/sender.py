"""Writing responses to ASGI ``send``: the built response, or a problem+json error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from gati.http.errors import PROBLEM_JSON, problem_body
from gati.http.response import JSON_MEDIA, Response

__all__ = ["Receive", "Send", "response_messages", "send_delegated", "send_problem"]

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_NO_BODY = frozenset({204, 304})
# Prebuilt header pairs: formatting b"%d" and making the tuple cost more than an index.
_CACHED_LENGTHS = 4096
_LENGTHS = tuple((b"content-length", b"%d" % n) for n in range(_CACHED_LENGTHS))
_JSON_TYPE = (b"content-type", JSON_MEDIA)


async def send_delegated(
    scope: dict[str, Any], receive: Receive, send: Send, res: Response, request_id: bytes
) -> None:
    """Send the ASGI response object a handler returned, with our headers added: a header
    set on ``res`` replaces the response's own of that name (``Set-Cookie`` adds)."""
    raw: list[tuple[bytes, bytes]] = res.asgi.raw_headers
    if res.headers:
        ours = {name for name, _ in res.headers if name != b"set-cookie"}
        raw[:] = [pair for pair in raw if pair[0] not in ours]
        raw.extend(res.headers)
    raw.append((b"x-request-id", request_id))
    await res.asgi(scope, receive, send)


def response_messages(
    method: str, res: Response, request_id: bytes
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ASGI messages for ``res``, its body rendered here (JSON encoded once); a HEAD
    request gets the headers and the length without the body. A plain function: no coroutine
    per request."""
    status = res.status_code
    body, media = res.render()
    if status in _NO_BODY or status < 200:
        headers = [(b"x-request-id", request_id), *res.headers]
        body = b""
    else:
        n = len(body)
        length = _LENGTHS[n] if n < _CACHED_LENGTHS else (b"content-length", b"%d" % n)
        headers = [length, (b"x-request-id", request_id)]
        extra = res.headers
        if extra:
            for name, _ in extra:  # a loop: no generator frame, as any(...) would make
                if name == b"content-type":
                    media = None  # res.header("Content-Type", …) wins over the body's type
                    break
        if media is JSON_MEDIA:
            headers.append(_JSON_TYPE)
        elif media is not None:
            headers.append((b"content-type", media))
        if extra:
            headers += extra
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": b"" if method == "HEAD" else body},
    )


async def send_problem(
    scope: dict[str, Any],
    send: Send,
    status: int,
    detail: str,
    request_id: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Send an RFC 9457 problem with ``request_id`` (echoed in ``X-Request-ID`` too)."""
    body = problem_body(status, detail, request_id, title=title, extra=extra)
    raw = [
        (b"content-type", PROBLEM_JSON),
        (b"content-length", b"%d" % len(body)),
        (b"x-request-id", request_id.encode("ascii")),
    ]
    if headers:
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
