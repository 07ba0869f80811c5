"""From a failure to the response that answers it: the app's exception handlers first (by
type, most specific first, or by status for ``HTTPError``), then the default mapping to an
RFC 9457 problem (docs/http.md, "Errors").

The response is written into the request's ``res``, so the route's after hooks see it like
any other response (a ``Server-Timing`` or CORS header hook covers errors too).
"""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.responses import Response as StarletteResponse
from starlette.websockets import WebSocketDisconnect

from gati.errors import RequestTimeout
from gati.hook import refused_arity
from gati.http.errors import PROBLEM_JSON, HTTPError, problem_body
from gati.http.request import ClientDisconnect
from gati.http.response import Response
from gati.http.sender import Receive, Send, response_messages, send_delegated, send_problem
from gati.http.validation import RequestInvalid, ResponseInvalid

__all__ = ["ExceptionHandler", "ExceptionHandlers", "send_failure", "write_failure"]

log = logging.getLogger("gati.http")

ExceptionHandler = Callable[[Any, Any], Awaitable[Any] | Any]
HandlerKey = type[BaseException] | int


class ExceptionHandlers:
    """Handlers keyed by exception type or by HTTP status (``404``, ``405`` …)."""

    __slots__ = ("_by_key",)

    def __init__(self, handlers: Mapping[HandlerKey, ExceptionHandler] | None = None) -> None:
        self._by_key: dict[HandlerKey, ExceptionHandler] = {}
        for key, fn in (handlers or {}).items():
            self.add(key, fn)

    def add(self, key: HandlerKey, fn: ExceptionHandler) -> None:
        """Register ``fn(req, exc)`` for an exception type or a 4xx/5xx status."""
        if isinstance(key, int) and not isinstance(key, bool):
            if not 400 <= key <= 599:
                raise ValueError(f"an exception handler status must be 4xx or 5xx, not {key}")
        elif not (isinstance(key, type) and issubclass(key, BaseException)):
            raise TypeError(
                f"exception handlers are keyed by an exception type or a status, not {key!r}"
            )
        if not callable(fn):
            raise TypeError(f"an exception handler must be callable, not {type(fn).__name__}")
        if refused_arity(fn, 2) is not None:
            raise TypeError(f"an exception handler takes (req, exc); {fn!r} does not")
        self._by_key[key] = fn

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def find(self, exc: BaseException) -> ExceptionHandler | None:
        """The handler for ``exc``: its status first (``HTTPError``), then its type's MRO."""
        by_key = self._by_key
        if isinstance(exc, HTTPError) and exc.status in by_key:
            return by_key[exc.status]
        for cls in type(exc).__mro__:
            fn = by_key.get(cls)
            if fn is not None:
                return fn
        return None


def _problem(exc: Exception, debug: bool, rid: str) -> HTTPError | None:
    """The problem the default mapping answers ``exc`` with (``None``: no response)."""
    if isinstance(exc, HTTPError):
        return exc
    if isinstance(exc, RequestInvalid):
        return exc.problem()
    if isinstance(exc, (ClientDisconnect, WebSocketDisconnect)):
        return None
    if isinstance(exc, RequestTimeout):
        return HTTPError(504, "the handler did not finish in time")
    if isinstance(exc, ResponseInvalid):
        details = {"errors": exc.errors()} if debug else None
        return HTTPError(500, "the response failed validation", extra=details)
    log.error("request %s failed: %s", rid, exc, exc_info=exc)
    extra = {"traceback": traceback.format_exception(exc)} if debug else None
    return HTTPError(500, "internal server error", extra=extra)


async def write_failure(
    exc: Exception, req: Any, res: Response, rid: str, *, debug: bool, handlers: ExceptionHandlers
) -> bool:
    """Write the response for ``exc`` into ``res`` (replacing what was there); False when
    there is none to send (the client went away)."""
    if handlers and not isinstance(exc, (ClientDisconnect, WebSocketDisconnect)):
        fn = handlers.find(exc)
        if fn is not None:
            answer = fn(req, exc)
            if inspect.isawaitable(answer):
                answer = await answer
            if isinstance(answer, StarletteResponse):
                res.headers = []
                res.status(answer.status_code).delegate(answer)
                return True
            if answer is not None:
                raise TypeError(
                    f"exception handler {fn!r} returned {type(answer).__name__}; return a "
                    "Starlette Response, or None to use the default problem response"
                )
    problem = _problem(exc, debug, rid)
    if problem is None:
        return False
    body = problem_body(
        problem.status, problem.detail, rid, title=problem.title, extra=problem.extra
    )
    res.asgi = None
    res.headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()
    ]
    res.status(problem.status).send(body, PROBLEM_JSON)
    return True


async def send_failure(
    scope: dict[str, Any],
    receive: Receive,
    send: Send,
    exc: Exception,
    req: Any,
    rid: str,
    *,
    debug: bool,
    handlers: ExceptionHandlers,
    written: Callable[[Response], None] | None = None,
) -> None:
    """Write and send the response for a failure outside the lifecycle (no after hooks: a
    response that could not be encoded, or a failing ``on_failure``); ``written`` sees the
    response before it is sent (a versioned request's adds its version headers)."""
    res = Response()
    try:
        answered = await write_failure(exc, req, res, rid, debug=debug, handlers=handlers)
    except Exception as again:
        log.error("request %s: the exception handler failed", rid, exc_info=again)
        await send_problem(scope, send, 500, "internal server error", rid)
        return
    if not answered:
        return
    if written is not None:
        written(res)
    rid_bytes = rid.encode("ascii")
    if res.asgi is not None:
        await send_delegated(scope, receive, send, res, rid_bytes)
        return
    start, body = response_messages(scope["method"], res, rid_bytes)
    await send(start)
    await send(body)
