"""``invoke``: run one handler through the real lifecycle with fake contexts, no server."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from gati.app import App
from gati.http.route import Route
from gati.http.routing import RouteTable
from gati.lifecycle.hooks import Hook
from gati.timescape.resolution import VersionedRoute

__all__ = ["Invocation", "invoke"]


class Invocation:
    """What ``invoke`` observed: ``status``, ``headers``, ``body``, ``json()``, ``events``."""

    __slots__ = ("body", "events", "headers", "status")

    def __init__(
        self, status: int, headers: dict[str, str], body: bytes, events: list[dict[str, Any]]
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.events = events

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.body)

    def __repr__(self) -> str:
        return f"Invocation(status={self.status}, body={self.body[:80]!r})"


class _OneRoute(RouteTable[Route | VersionedRoute]):
    """A route table that answers every request with one route and the given parameters."""

    __slots__ = ("_params", "_route")

    def __init__(self, route: Route, params: Mapping[str, Any]) -> None:
        super().__init__()
        self._route = route
        self._params = params

    def resolve_dynamic(
        self, method: str, path: str
    ) -> tuple[Route | VersionedRoute, dict[str, Any]]:
        return self._route, dict(self._params)


async def invoke(
    handler: Callable[..., Any],
    *,
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    query: str = "",
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    path: str = "/",
    modules: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    hooks: Sequence[Hook | Callable[..., Any]] = (),
    **route_options: Any,
) -> Invocation:
    """Run ``handler`` once, as the app would: validation, hooks, handler, error mapping.

    ``body`` is sent as JSON unless it is ``bytes``; ``params`` are the path parameters as
    the router would have converted them; ``route_options`` are the decorator options
    (``request=``, ``response=``, ``timeout=`` …). Returns the response and every lifecycle
    event of the request.
    """
    app = App(config=config, modules=modules)
    route = Route(
        method.upper(),
        path,
        handler,
        hooks=hooks,
        max_body_size=route_options.pop("max_body_size", app.max_body_size),
        timeout=route_options.pop("timeout", app.timeout),
        **route_options,
    )
    raw = body if isinstance(body, bytes) else (b"" if body is None else orjson.dumps(body))
    header_list = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
    ]
    if body is not None and not isinstance(body, bytes):
        header_list.append((b"content-type", b"application/json"))
    header_list.append((b"content-length", b"%d" % len(raw)))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "root_path": "",
        "query_string": query.encode("latin-1"),
        "headers": header_list,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    events: list[dict[str, Any]] = []
    app.emitter.subscribe(events.append)
    sent: list[dict[str, Any]] = []
    pending = [{"type": "http.request", "body": raw, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app.routes = _OneRoute(route, params or {})
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    out_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    out_body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Invocation(start["status"], out_headers, out_body, events)
