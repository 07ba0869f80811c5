"""WebSocket routes: ``@app.websocket("/ws/{room}")`` on ``async def chat(ws, lctx, gctx)``.

A websocket connection is a request like any other: ingress gives it a request id (sent back
in ``X-Request-ID`` on accept), it gets a Local Context, and the global and route before
hooks run before the handler (authentication: read ``ws.headers``, ``ws.cookies``,
``ws.query``, raise ``HTTPError``). ``ws`` is Starlette's ``WebSocket`` with ``request_id``,
``query`` and ``client_ip`` added. There is no handler timeout.

Close codes: a path no websocket route matches, or a before hook that refuses (any 4xx),
closes before the handshake completes with 1008 (policy violation; servers answer the
handshake with HTTP 403); an unhandled exception closes with 1011 (internal error, logged);
a handler that returns without closing closes with 1000 (normal). ``lctx.defer`` work runs
once the connection is closed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from gati.hook import refused_arity
from gati.http.deferred import run_deferred
from gati.http.ingress import Ingress
from gati.http.options import check_options
from gati.http.response import Response
from gati.http.route import Route
from gati.lifecycle.hooks import Hook, is_async_callable

if TYPE_CHECKING:
    from gati.context.local import LocalContext
    from gati.lifecycle.orchestrator import Orchestrator

__all__ = [
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_NORMAL",
    "CLOSE_POLICY_VIOLATION",
    "WebSocket",
    "WebSocketDisconnect",
    "serve_websocket",
    "websocket_route",
]

CLOSE_NORMAL = 1000
CLOSE_POLICY_VIOLATION = 1008
CLOSE_INTERNAL_ERROR = 1011


class WebSocket(StarletteWebSocket):
    """Starlette's ``WebSocket`` with gati's ingress: ``request_id``, ``query``,
    ``client_ip``; ``accept()`` sends ``X-Request-ID``."""

    def __init__(self, scope: dict[str, Any], receive: Any, send: Any, info: Ingress) -> None:
        super().__init__(scope, receive, send)
        self.info = info

    @property
    def request_id(self) -> str:
        return self.info.request_id

    @property
    def client_ip(self) -> str | None:
        return self.info.client_ip

    @property
    def query(self) -> QueryParams:
        return self.query_params

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Iterable[tuple[bytes, bytes]] | None = None,
    ) -> None:
        extra = [(b"x-request-id", self.request_id.encode("ascii")), *(headers or ())]
        await super().accept(subprotocol, extra)


def websocket_route(
    path: str,
    fn: Callable[..., Any],
    *,
    hooks: Sequence[Hook | Callable[..., Any]],
    handler_id: str | None,
) -> Route:
    """A ``Route`` whose call runs the websocket handler ``fn(ws, lctx, gctx)``."""
    if not callable(fn):
        raise TypeError(f"a websocket handler must be callable, not {type(fn).__name__}")
    name = getattr(fn, "__qualname__", repr(fn))
    signature = refused_arity(fn, 3)
    if signature is not None:
        raise TypeError(f"websocket handler {name}{signature} must accept (ws, lctx, gctx)")
    if not is_async_callable(fn):
        short = getattr(fn, "__name__", "handler")
        raise TypeError(
            f"websocket handler {name} must be async: async def {short}(ws, lctx, gctx)"
        )
    check_options({"hooks": hooks, "id": handler_id})

    async def call(ws: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await fn(ws, lctx, gctx)

    return Route(
        "GET",
        path,
        call,
        hooks=hooks,
        timeout=None,
        max_body_size=0,
        handler_id=handler_id or f"{fn.__module__}.{fn.__qualname__}",
    )


async def serve_websocket(
    orchestrator: Orchestrator, route: Route, ws: WebSocket, lctx: LocalContext
) -> None:
    """Run the connection through the lifecycle and close it, then its deferred work."""
    res = Response()
    try:
        await _run(orchestrator, route, ws, res, lctx)
    finally:
        x = lctx.extras_if_made
        if x is not None and x.deferred:
            await run_deferred(lctx)


async def _run(
    orchestrator: Orchestrator, route: Route, ws: WebSocket, res: Response, lctx: LocalContext
) -> None:
    """The lifecycle, then the close code the outcome calls for (see the module docstring)."""
    try:
        await orchestrator.run(route.plan, route.call, ws, res, lctx)
    except WebSocketDisconnect:
        return
    except Exception:  # no on_failure wrote an answer: the error is the app's
        res.status(500)
    if ws.application_state == WebSocketState.DISCONNECTED:
        return
    if res.status_code >= 500:
        code = CLOSE_INTERNAL_ERROR
    elif res.status_code >= 400:
        code = CLOSE_POLICY_VIOLATION
    else:
        code = CLOSE_NORMAL
    if ws.client_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(RuntimeError, OSError):  # the client already went away
            await ws.close(code)
