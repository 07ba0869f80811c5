"""Writing responses to ASGI ``send``: the built response, or a problem+json error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.responses import StreamingResponse

from gati._backend import twin
from gati.http.errors import PROBLEM_JSON, problem_body
from gati.http.response import Response

__all__ = ["Receive", "Send", "response_messages", "send_delegated", "send_problem"]

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

# The two ASGI messages for a ``Response``, its body rendered (JSON encoded once) and the
# messages built in one native call (or its pure twin); a HEAD request gets the headers and the
# length without the body. ``response_messages(method, res, request_id)``.
response_messages: Callable[[str, Response, bytes], tuple[dict[str, Any], dict[str, Any]]] = twin(
    "response_messages"
)


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
    if scope["method"] == "HEAD" and isinstance(res.asgi, StreamingResponse):
        await _head_of_stream(res.asgi, send)
        return
    await res.asgi(scope, receive, send)


async def _head_of_stream(response: StreamingResponse, send: Send) -> None:
    """A ``HEAD`` answered by a ``GET`` route's stream: its headers, no body, and the stream
    closed unread. Iterated, an endless stream (SSE) never ended: the keep-alive connection
    answered nothing more and the request's cleanup never ran."""
    await send(
        {"type": "http.response.start", "status": response.status_code,
         "headers": response.raw_headers}
    )  # fmt: skip
    await send({"type": "http.response.body", "body": b""})
    close = getattr(response.body_iterator, "aclose", None)
    if close is not None:
        await close()
    if response.background is not None:
        await response.background()


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
