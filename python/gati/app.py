"""``App``: the ASGI 3 entry point. Registration (decorators, hooks, mounts), dispatch of
``http`` and ``lifespan`` scopes, and the mapping of outcomes to responses (DESIGN §7).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, TypeVar, Unpack, overload

from gati.context.current import CURRENT
from gati.context.global_ import GlobalContext
from gati.context.ids import new_request_id
from gati.context.local import LocalContext
from gati.fabric import Fabric, MemoryFabric, Policy, Topic
from gati.http.deferred import run_deferred
from gati.http.errors import HTTPError
from gati.http.failures import (
    ExceptionHandler,
    ExceptionHandlers,
    HandlerKey,
    send_failure,
    write_failure,
)
from gati.http.forms import FormLimits
from gati.http.health import LifespanState, liveness, readiness
from gati.http.ingress import (
    TrustedProxies,
    new_ingress,
    parse_ingress,
    read_ingress_head,
    with_rare_headers,
)
from gati.http.lifespan import Lifespan
from gati.http.middleware import Middleware, MiddlewareStack
from gati.http.not_routed import NotRouted
from gati.http.options import RouteOptions, check_options, check_timeout
from gati.http.request import Request, too_large
from gati.http.response import Response
from gati.http.route import Route
from gati.http.routers import Router, url_path_for
from gati.http.routing import RouteTable
from gati.http.sender import response_messages, send_delegated
from gati.http.verbs import Verbs
from gati.http.websockets import (
    CLOSE_POLICY_VIOLATION,
    WebSocket,
    serve_websocket,
    websocket_route,
)
from gati.lifecycle.events import Emitter
from gati.lifecycle.hook_ids import HookKind, unique_hook_id
from gati.lifecycle.hooks import KINDS, Backoff, Hook
from gati.lifecycle.orchestrator import Orchestrator
from gati.lifecycle.plan import DEFAULT_TIMEOUT
from gati.modules import ModuleManifest, ModuleProxy, ModuleRegistry
from gati.policy.audit import AuditLog
from gati.policy.plan import Policies
from gati.policy.store import RateLimitStore
from gati.secrets.manager import SecretsManager
from gati.timescape import Schemas, Timescape, VersionedRoute
from gati.timescape.serving import Served

__all__ = ["App"]

log = logging.getLogger("gati.http")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=ExceptionHandler)
W = TypeVar("W", bound=Callable[..., Awaitable[Any]])

DEFAULT_MAX_BODY = 1 << 20
_time = time.time
# The per-request context constructor, bound once: ``LocalContext.routed`` looked up on the
# class makes a bound method per call (450 instructions per request).
_routed = LocalContext.routed


# Built-in routes (health, the document, the docs page): no timeout, public, never limited.
_PUBLIC: dict[str, Any] = {"timeout": None, "auth": False, "rate_limit": False}
# How the OpenAPI document describes the health endpoints: a JSON report, 200 or 503.
_REPORT = {"application/json": {"schema": {"type": "object"}}}
_HEALTH_DOCS: dict[str, Any] = {
    "tags": ["health"],
    "responses": {
        200: {"description": "Healthy (or degraded) and ready", "content": _REPORT},
        503: {"description": "Unhealthy, or not ready", "content": _REPORT},
    },
}


def _route_path(scope: Scope) -> str:
    """The path below ``root_path`` (when gati is mounted inside another app)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        rest = path[len(root) :]
        if not rest:
            return "/"
        if rest[0] == "/":
            return rest
    return path


class App(Verbs):
    """An ASGI 3 application: ``@app.get(...)``, ``@app.hook("before")``, ``app.mount(...)``.

    ``debug`` adds tracebacks to 500 problems; ``max_body_size`` is the default body limit
    (per route with ``max_body_size=``), ``form_limits`` the default ``FormLimits`` of
    ``req.form()`` (per route with ``form_limits=``); ``trusted_proxies`` (addresses or
    networks) enables ``Forwarded``/``X-Forwarded-For``; ``config`` becomes the read-only
    ``gctx.config``;
    ``modules`` are registered on ``gctx.modules`` (untyped; ``app.module`` adds typed ones);
    ``fabric`` is the queue fabric behind ``gctx.publish``/``subscribe`` (a ``MemoryFabric``
    unless given, e.g. ``RedisFabric(url)``); ``health_paths`` serve liveness and readiness
    (``None`` turns them off); ``middleware`` wraps the app (Starlette's ``Middleware``
    entries, the first outermost); ``exception_handlers`` maps exception types or error
    statuses to ``handler(req, exc)``; ``timescape`` is the version registry (a default one
    when ``None``), reachable as ``app.timescape`` and ``gctx.timescape``;
    ``openapi_path`` serves the OpenAPI 3.1 document and ``docs_path`` the offline docs page
    (``None`` turns each off); ``openapi_info`` fills the document's ``info`` object.

    Policies (docs/security.md): ``auth`` authenticates every route (``auth=False`` on a route
    makes it public), ``rate_limit`` is the default limit of every route, kept in Redis when
    ``redis_url`` (or ``$GATI_REDIS_URL``) is set, else in memory, unless ``rate_limit_store``
    brings a store of its own (a ``gati.policy.RateLimitStore``); ``secrets`` are the
    providers behind ``gctx.secrets`` (or a ``SecretsManager``, to set its TTL);
    ``audit=True`` logs one JSON line per request on ``gati.audit``.

    ``telemetry`` (``True`` or ``"detailed"``, the ``otel`` extra) traces and measures every
    request with the global OpenTelemetry providers; ``metrics_path`` serves the metrics in
    Prometheus text format (docs/telemetry.md).

    ``playground=True`` serves the Playground under ``/_gati/`` (loopback clients only, unless
    ``playground_token`` is set: then every Playground call needs it) and records the recent
    requests in a ring buffer of ``playground_buffer`` = (max records, max bytes)
    (docs/playground.md).
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        max_body_size: int = DEFAULT_MAX_BODY,
        trusted_proxies: Iterable[str] = (),
        config: Mapping[str, Any] | None = None,
        modules: Mapping[str, Any] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        health_paths: tuple[str, str] | None = ("/healthz", "/readyz"),
        auth: Any = None,
        rate_limit: str | None = None,
        redis_url: str | None = None,
        rate_limit_store: RateLimitStore | None = None,
        secrets: Iterable[Any] | SecretsManager = (),
        audit: bool | AuditLog = False,
        middleware: Sequence[Middleware] = (),
        exception_handlers: Mapping[HandlerKey, ExceptionHandler] | None = None,
        timescape: Timescape | None = None,
        fabric: Fabric | None = None,
        openapi_path: str | None = "/openapi.json",
        docs_path: str | None = "/docs",
        openapi_info: Mapping[str, Any] | None = None,
        telemetry: bool | Literal["detailed"] = False,
        metrics_path: str | None = None,
        playground: bool = False,
        playground_token: str | None = None,
        playground_buffer: tuple[int, int] = (500, 8 * 1024 * 1024),
        form_limits: FormLimits | None = None,
    ) -> None:
        if not isinstance(debug, bool):  # debug="false" would turn tracebacks on
            raise TypeError(f"debug= takes True or False, not {debug!r}")
        for option, given in (
            ("config", config),
            ("modules", modules),
            ("exception_handlers", exception_handlers),
            ("openapi_info", openapi_info),
        ):
            if given is not None and not isinstance(given, Mapping):
                raise TypeError(f"{option}= takes a mapping, not {type(given).__name__}")
        if health_paths is not None and (
            not isinstance(health_paths, tuple | list)
            or len(health_paths) != 2
            or not all(isinstance(p, str) for p in health_paths)
        ):
            raise ValueError(
                f'health_paths= is ("/liveness", "/readiness") or None, not {health_paths!r}'
            )
        check_timeout(timeout, "App timeout")
        if type(max_body_size) is not int or max_body_size < 0:
            raise ValueError(f"max_body_size must be an int >= 0 (bytes), not {max_body_size!r}")
        self.debug = debug
        self.max_body_size = max_body_size
        self.form_limits = form_limits
        self.timeout = timeout
        self.trusted_proxies = TrustedProxies(trusted_proxies)
        self.gctx = GlobalContext(config)
        for name, module in (modules or {}).items():
            self.gctx.register_module(name, module)
        self.modules = ModuleRegistry(self.gctx)
        self.fabric = self.gctx.fabric = MemoryFabric() if fabric is None else fabric
        self.gctx.on_startup(self.fabric.start, priority=200)
        self.gctx.on_shutdown(self.fabric.close, priority=-200)
        if fabric is not None:  # an external backend (Redis): its reachability is a health check
            self.gctx.on_health("fabric", fabric.health, critical=False)
        self.emitter = Emitter()
        self.policies = Policies(
            auth=auth,
            rate_limit=rate_limit,
            redis_url=redis_url,
            store=rate_limit_store,
            audit=audit,
        )
        self.gctx.secrets = (
            secrets if isinstance(secrets, SecretsManager) else SecretsManager(secrets)
        )
        self.gctx.on_shutdown(self.policies.close)
        self.orchestrator = Orchestrator(self.gctx, self.emitter)
        self.routes: RouteTable[Route | VersionedRoute] = RouteTable()
        self.websocket_routes: RouteTable[Route] = RouteTable()
        self.timescape = timescape if timescape is not None else Timescape()
        self.gctx.timescape = self.timescape
        self.timescape.attach(self.gctx)  # a shared Timescape listens while the app runs
        self.global_hooks: list[Hook] = []
        self._mounts: list[tuple[str, ASGIApp]] = []
        self._mount_prefixes: tuple[str, ...] = ()  # for one str.startswith per request
        self._lifespan = Lifespan(
            self.gctx, lambda: [m.lifespan() for _, m in self._mounts if isinstance(m, App)]
        )
        self.middleware = MiddlewareStack(middleware, functools.partial(self.__call__, inner=True))
        # the stack when there is middleware (one attribute test per request otherwise)
        self._wrapped: MiddlewareStack | None = self.middleware if self.middleware.entries else None
        self.exception_handlers = ExceptionHandlers(exception_handlers)
        self.orchestrator.on_failure = self._write_failure
        self._not_routed = NotRouted(max_body_size)
        # built-in before steps every request runs ahead of its hooks (telemetry)
        self.steps: tuple[Hook, ...] = ()
        audit_log = self.policies.audit
        if audit_log is not None:  # first, so every request (routed or not) gets its line
            self.emitter.subscribe(audit_log.observe)
            self.add_step(audit_log.step())
        if health_paths is not None:
            live, ready = health_paths
            doc = _HEALTH_DOCS
            self.get(live, id="gati.healthz", **_PUBLIC, **doc)(liveness)
            ready_fn = readiness(lambda: self.lifespan_state)
            self.get(ready, id="gati.readyz", **_PUBLIC, **doc)(ready_fn)
        self.openapi_info = dict(openapi_info or {})
        self.openapi_path = openapi_path
        self.docs_path = docs_path
        if openapi_path is not None:
            self.get(openapi_path, id="gati.openapi", **_PUBLIC)(self._serve_openapi)
        if docs_path is not None:
            if openapi_path is None:
                raise ValueError("docs_path needs openapi_path: the docs page reads the document")
            self.get(docs_path, id="gati.docs", **_PUBLIC)(self._serve_docs)
            asset = docs_path + "/{asset}"
            self.get(asset, id="gati.docs.asset", **_PUBLIC)(self._serve_docs)
        if telemetry or metrics_path is not None:
            from gati.telemetry.setup import set_up  # loads opentelemetry: only when asked

            set_up(self, telemetry, metrics_path)
        self.playground: Any = None
        if playground:
            from gati.playground.core import set_up as set_up_playground  # only when asked

            self.playground = set_up_playground(self, playground_token, playground_buffer)
        elif playground_token is not None:
            raise ValueError("playground_token= needs playground=True")

    def openapi(self, version: str | None = None) -> dict[str, Any]:
        """The OpenAPI 3.1 document of the routes serving ``version`` (``None``: the newest)."""
        from gati.manifest.openapi import openapi_document

        return openapi_document(self, version)

    async def _serve_openapi(self, req: Request, res: Response, lctx: Any, gctx: Any) -> None:
        """``GET /openapi.json``: loaded on first use, keeping ``import gati`` lean."""
        from gati.manifest.serve import serve_openapi

        serve_openapi(self, req, res)

    async def _serve_docs(self, req: Request, res: Response, lctx: Any, gctx: Any) -> None:
        """``GET /docs`` and its assets, loaded on first use like the document."""
        from gati.manifest.serve import serve_docs

        serve_docs(self, req, res)

    @classmethod
    def from_directory(cls, path: str, **options: Any) -> App:
        """An app serving the handler files below ``path`` (``users/{id}.py`` → ``/users/{id}``,
        its ``get``/``post``/… functions the handlers); ``options`` go to ``App(...)``."""
        from gati.manifest.discovery import register_directory

        app = cls(**options)
        register_directory(app, path)
        return app

    def manifests(self) -> list[Any]:
        """The handler manifests of the registered routes (``gati.manifest.Manifest``)."""
        from gati.manifest.introspect import app_manifests

        return app_manifests(self)

    # -- registration ----------------------------------------------------------------------
    def route(self, method: str, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register the decorated function as the handler of ``method path``.

        ``request``/``query``/``params``/``response`` are GType schemas (or compiled
        validators); ``hooks`` are route-level hooks (plain callables are before hooks);
        ``timeout`` defaults (``...``) to the app's (30 s); ``None`` disables it. ``version``
        (an ISO date) registers one of several live implementations of the route
        (docs/timescape.md); ``pin_versions`` keeps each version on its own implementation
        even when a newer one is compatible.
        ``auth``, ``roles``, ``rate_limit``, ``burst``, ``cost``, ``key`` and
        ``on_store_error`` are the route's policies (docs/security.md); ``route.policy``
        describes them. Every option is one of ``RouteOptions`` (an unknown one is a
        ``TypeError``).
        """
        if not isinstance(path, str):
            raise TypeError(
                f'@app.{method.lower()} needs a path first: @app.{method.lower()}("/items"), '
                f"not {path!r}"
            )
        check_options(options)

        def register(fn: F) -> F:
            version = options.get("version")
            scope = f"{method.upper()} {path}|{version or '-'}"
            policy = self.policies.for_route(scope, options)
            route = Route.declared(
                method.upper(),
                path,
                fn,
                options,
                timeout=self.timeout,
                max_body_size=self.max_body_size,
                form_limits=self.form_limits,
                steps=(*self.steps, *policy.steps),
                policy=policy,
            )
            route.replan(self.global_hooks)
            if version is None:
                self._add_route(route)
            else:
                schemas = Schemas(
                    options.get("request"),
                    options.get("query"),
                    options.get("params"),
                    options.get("response"),
                )
                pinned = options.get("pin_versions", False)
                self.timescape.register(route, schemas, pinned=pinned, table=self.routes)
            return fn

        return register

    def _add_route(self, route: Route) -> None:
        """Put ``route`` in the table; taking a built-in health path says how to free it."""
        try:
            self.routes.add(route.method, route.pattern, route)
        except ValueError:
            builtin = {"gati.healthz", "gati.readyz"}
            for method, pattern, other in self.routes.routes():
                if (method, pattern) == (
                    route.method,
                    route.pattern,
                ) and other.handler_id in builtin:
                    raise ValueError(
                        f"{route.method} {route.pattern} is gati's built-in health route; move "
                        'it with App(health_paths=("/live", "/ready")) or turn both off with '
                        "App(health_paths=None)"
                    ) from None
            raise

    def transformer(
        self,
        path: str,
        *,
        from_: str,
        to: str,
        request_schema: Any = None,
        response_schema: Any = None,
        errors: bool = False,
    ) -> Callable[[F], F]:
        """Register the decorated class (or object) as the hop ``from_ → to`` on ``path``:
        ``request(req, lctx)`` migrates requests up, ``response(res, lctx)`` responses down;
        the schemas describe the old shape; ``errors=True`` also migrates problem bodies."""

        def register(impl: F) -> F:
            instance = impl() if isinstance(impl, type) else impl
            self.timescape.add_transformer(
                path,
                instance,
                from_=from_,
                to=to,
                request_schema=request_schema,
                response_schema=response_schema,
                errors=errors,
            )
            return impl

        return register

    @overload
    def hook(self, kind: F, /) -> F: ...
    @overload
    def hook(
        self,
        kind: HookKind = "before",
        fn: None = None,
        *,
        id: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        retries: int = 0,
        backoff: Backoff | float | None = None,
    ) -> Callable[[F], F]: ...
    @overload
    def hook(
        self,
        kind: HookKind,
        fn: F,
        *,
        id: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        retries: int = 0,
        backoff: Backoff | float | None = None,
    ) -> F: ...
    def hook(
        self,
        kind: Any = "before",
        fn: Callable[..., Any] | None = None,
        *,
        id: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        retries: int = 0,
        backoff: Backoff | float | None = None,
    ) -> Any:
        """Add a global ``"before"``, ``"after"`` or ``"catch"`` hook. A decorator in every
        form: ``@app.hook`` (a before hook), ``@app.hook("after", priority=5)``, or a call
        ``app.hook("before", fn)``. Ids default to the function's qualified name, made unique
        (``#2``…) when a factory makes several hooks of one name."""
        if callable(kind) and fn is None:
            kind, fn = "before", kind
        if kind not in KINDS:
            raise ValueError(f"hook kind must be one of {KINDS}, not {kind!r}")
        if backoff is not None and retries == 0:
            raise ValueError("backoff= spaces the retries: give retries= (>= 1) with it")

        def register(f: F) -> F:
            taken = [h.id for h in self.global_hooks if h.kind == kind]
            hook = Hook(
                f,
                kind=kind,
                level="global",
                id=unique_hook_id(f, taken) if id is None else id,
                priority=priority,
                timeout=timeout,
                retries=retries,
                backoff=Backoff() if backoff is None else backoff,
            )
            self.global_hooks.append(hook)
            for _, _, route in (*self.routes.routes(), *self.websocket_routes.routes()):
                route.replan(self.global_hooks)
            self._not_routed.replan(self.global_hooks)
            return f

        return register if fn is None else register(fn)

    def mount(self, prefix: str, app: ASGIApp) -> None:
        """Serve ``prefix`` and everything below it with another ASGI app (Starlette or plain).

        The mounted app sees the full ``path`` and ``root_path`` extended by ``prefix``, as
        ASGI specifies and Starlette's ``Mount`` does.
        """
        if not callable(app):
            raise TypeError(f"app.mount() needs an ASGI app (a callable), not {type(app).__name__}")
        if not isinstance(prefix, str) or not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError(f"mount prefix must start with '/' and not end with one: {prefix!r}")
        self._mounts.append((prefix, app))
        self._mount_prefixes = (*self._mount_prefixes, prefix)

    def module(
        self,
        manifest: ModuleManifest,
        impl: Any = None,
        *,
        command: Sequence[str] | None = None,
        **options: Any,
    ) -> ModuleProxy:
        """Register a typed module: ``impl`` runs in-process, ``command`` starts a process
        module (``transport="stdio"|"unix"``, ``env=``, ``cwd=``); see docs/modules.md."""
        return self.modules.add(manifest, impl, command=command, **options)

    def topic(
        self,
        name: str,
        *,
        schema: Any = None,
        maxlen: int = 10_000,
        policy: Policy = "block",
        **options: Any,
    ) -> Topic:
        """Declare a fabric topic: payload ``schema``, bounded ``maxlen`` per consumer group and
        the backpressure ``policy``; see docs/fabric.md."""
        return self.fabric.topic(name, schema=schema, maxlen=maxlen, policy=policy, **options)

    @overload
    def on_startup(self, fn: F, *, priority: int = 0) -> F: ...
    @overload
    def on_startup(self, fn: None = None, *, priority: int = 0) -> Callable[[F], F]: ...
    def on_startup(self, fn: F | None = None, *, priority: int = 0) -> Any:
        """Run ``fn`` at lifespan start-up (higher priority first; a failure aborts).
        ``@app.on_startup`` and ``@app.on_startup(priority=5)`` both register."""
        return self.gctx.on_startup(fn, priority=priority)

    @overload
    def on_shutdown(self, fn: F, *, priority: int = 0, timeout: float = 10.0) -> F: ...
    @overload
    def on_shutdown(
        self, fn: None = None, *, priority: int = 0, timeout: float = 10.0
    ) -> Callable[[F], F]: ...
    def on_shutdown(self, fn: F | None = None, *, priority: int = 0, timeout: float = 10.0) -> Any:
        """Run ``fn`` at lifespan shutdown (each bounded by ``timeout``; all run).
        ``@app.on_shutdown`` and ``@app.on_shutdown(priority=5)`` both register."""
        return self.gctx.on_shutdown(fn, priority=priority, timeout=timeout)

    def websocket(
        self,
        path: str,
        *,
        hooks: Sequence[Hook | Callable[..., Any]] = (),
        id: str | None = None,
    ) -> Callable[[W], W]:
        """Register ``async def handler(ws, lctx, gctx)`` for websocket connections on
        ``path``; global and route before hooks run first (docs/http.md, "WebSockets")."""
        if not isinstance(path, str):
            raise TypeError(
                f'@app.websocket needs a path first: @app.websocket("/ws"), not {path!r}'
            )

        def register(fn: W) -> W:
            route = websocket_route(path, fn, hooks=hooks, handler_id=id)
            route.replan(self.global_hooks)
            self.websocket_routes.add("GET", path, route)
            return fn

        return register

    def include(self, router: Router) -> None:
        """Register a ``Router``'s routes (its prefix, hooks and tags applied)."""
        if not isinstance(router, Router):
            raise TypeError(f"app.include() takes a gati Router, not {type(router).__name__}")
        for method, path, fn, options in router.resolved():
            if method == "WEBSOCKET":
                self.websocket(path, **options)(fn)
            else:
                self.route(method, path, **options)(fn)

    def url_path_for(self, handler_id: str, /, **params: Any) -> str:
        """The path of the route with ``handler_id``, its ``{params}`` filled in."""
        routes = (
            r
            for _, _, found in self.routes.routes()
            for r in (found.impls.values() if isinstance(found, VersionedRoute) else (found,))
        )
        return url_path_for(routes, handler_id, params)

    def add_middleware(self, cls: Any, *args: Any, **options: Any) -> None:
        """Wrap the app in ASGI middleware (``app.add_middleware(CORSMiddleware,
        allow_origins=[...])``); the last added is the innermost, as in Starlette's
        ``App(middleware=[...])`` order."""
        self.middleware.add(Middleware(cls, *args, **options))
        self._wrapped = self.middleware

    @overload
    def exception_handler(self, key: HandlerKey) -> Callable[[E], E]: ...
    @overload
    def exception_handler(self, key: HandlerKey, fn: E) -> E: ...
    def exception_handler(self, key: HandlerKey, fn: E | None = None) -> Any:
        """Answer an exception type (most specific first), or an error status such as 404,
        with ``async def handler(req, exc)`` returning a Starlette ``Response`` (``None``
        falls back to the default problem response)."""

        def register(f: E) -> E:
            self.exception_handlers.add(key, f)
            return f

        return register if fn is None else register(fn)

    def lifespan(self, parent: Any = None) -> AbstractAsyncContextManager[None]:
        """Start-up on entry, shutdown on exit, as ``async with app.lifespan():``. A parent
        that mounts this app runs it from its own lifespan (``FastAPI(lifespan=
        gati_app.lifespan)``, or inside a parent's lifespan function); a gati parent does it
        for its mounted gati apps by itself. ``parent`` (the calling app) is ignored."""
        return self._lifespan.context()

    @property
    def lifespan_state(self) -> LifespanState:
        """``idle``, ``starting``, ``running``, ``failed``, ``stopping`` or ``stopped``."""
        return self._lifespan.state

    def add_step(self, step: Hook) -> None:
        """Put a built-in before step ahead of every request's hooks (on the routes already
        registered, those to come, and the requests no route takes)."""
        before = len(self.steps)
        self.steps = (*self.steps, step)
        entries = [entry for _, _, entry in self.routes.routes()]
        routes: list[Route] = [self._not_routed.route]
        for entry in entries:
            routes.extend(entry.impls.values() if isinstance(entry, VersionedRoute) else (entry,))
        for route in routes:  # the app's steps first, then the route's own (its policies)
            route.steps = (*self.steps, *route.steps[before:])
        for entry in entries:
            entry.replan(self.global_hooks)
        self._not_routed.replan(self.global_hooks)

    # -- ASGI ------------------------------------------------------------------------------
    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, *, inner: bool = False
    ) -> None:
        """The ASGI entry point. Everything it does for an ``http`` request runs inside the
        error mapping: a request that ingress or routing cannot take (404, 405, a bad
        ``Content-Length``, or an unexpected failure there) goes through the lifecycle on a
        stand-in route that raises it, so it is answered as a problem with ``X-Request-ID``,
        never the server's bare 500. Routing and the lifecycle share this one coroutine: one
        frame fewer per request than a separate ``serve`` step (about 0.2 µs on GET /hello).
        With middleware, the call goes through the middleware stack first, which calls back
        with ``inner=True``."""
        if self._wrapped is not None and not inner:
            await self._wrapped(scope, receive, send)
            return
        kind = scope["type"]
        if kind != "http":
            await self._other(kind, scope, receive, send)
            return
        route: Route | Served
        method: str = scope["method"]
        try:
            head = read_ingress_head(scope)
            if head[5] is not None:  # parse_ingress written out: a call less per request
                head = with_rare_headers(head, scope, self.trusted_proxies)
            info, rid, length, flags, trace_id, _, rid_bytes, started_at = head
        except Exception as exc:  # a scope ingress cannot read: a 500 problem, with a new id
            info = new_ingress()
            info.request_id = rid = new_request_id()
            length, flags, trace_id = None, info.flags, None
            rid_bytes, started_at = rid.encode("ascii"), _time()
            route, params = self._not_routed.failing(scope, exc)
        else:
            path = _route_path(scope) if scope.get("root_path") else scope["path"]
            prefixes = self._mount_prefixes  # a mount's path: one C call tells most apart
            if prefixes and path.startswith(prefixes):
                mounted = self._mounted(scope, path)
                if mounted is not None:
                    await mounted(scope, receive, send)
                    return
            try:
                # a static path's route straight from the table (resolve written out: a call
                # less); HEAD on a GET route and 405 through resolve
                routes = self.routes
                methods = routes.static.get(path)
                if methods is None:
                    found, params = routes.resolve_dynamic(method, path)
                elif (known := methods.get(method)) is not None:
                    found, params = known, {}
                else:
                    found, params = routes.resolve(method, path)
                # a versioned route picks the version's plan: 400, 410 or 503 if none
                route = (
                    found.select(info.version_requested)
                    if type(found) is VersionedRoute  # half of isinstance's cost (it is final)
                    else found
                )
            except Exception as exc:  # 404/405, version 400/410/503, or a routing failure (500)
                route, params = self._not_routed.failing(scope, exc)
        if length is not None and (length < 0 or length > route.max_body_size):
            bad = (
                HTTPError(400, "invalid Content-Length")
                if length < 0
                else too_large(route.max_body_size)
            )
            route, params = self._not_routed.failing(scope, bad)
        req: Request[Any] = Request(scope, receive, info, params, route.max_body_size)
        res = Response()
        lctx = _routed(
            rid,
            method,
            scope["path"],
            route.pattern,
            route.handler_id,
            route.version,
            flags,
            info,
            trace_id,
            started_at,
        )
        try:
            orchestrator, plan = self.orchestrator, route.plan
            if plan.plain and not orchestrator.emitter.listening:
                # The plain runner (docs/lifecycle.md): ``run``'s steps for a plain plan while
                # nobody listens, written out in this coroutine (a level less per request).
                token = CURRENT.set(lctx)
                gctx = orchestrator.gctx  # hooks and handler called with the four written out
                hook: Hook | None = None
                result: Any = None
                try:
                    for hook in plan.before:
                        await hook.fn(req, res, lctx, gctx)
                        lctx.hook_index += 1
                    hook = None
                    x = lctx.extras_if_made
                    if x is None or not x.before:
                        timeout = plan.timeout
                        wd = orchestrator.watchdog
                        task: Any = None
                        if timeout is not None and wd is not None:
                            task = wd.arm_running(timeout)
                        if timeout is not None and task is None:  # no watchdog here yet
                            result = await orchestrator.plain_call(
                                route.call, (req, res, lctx, gctx), timeout
                            )
                        else:
                            try:
                                direct = plan.direct
                                if direct is None:
                                    result = await route.call(req, res, lctx, gctx)
                                else:  # the route call inline: a coroutine level less
                                    check, handler, answer, validates = direct
                                    if check is not None:
                                        check(req)
                                    if (
                                        lctx.current_phase == "routed"
                                        and lctx.extras_if_made is None
                                        and lctx.meta_if_made is None
                                    ):
                                        # advance()'s moves: no listener, no Meta to mirror
                                        lctx.current_phase = "processing"
                                    else:
                                        if validates:
                                            lctx.advance("validated")
                                        lctx.advance("processing")
                                    result = await handler(req, res, lctx, gctx)
                                    answer(result, res)
                            except BaseException:
                                if task is not None and wd is not None and wd.disarm(task):
                                    raise orchestrator.plain_timed_out(timeout) from None
                                raise
                            if task is not None and wd is not None and wd.disarm(task):
                                raise orchestrator.plain_timed_out(timeout)
                        lctx.hook_index += 1
                except BaseException as exc:
                    await orchestrator.plain_failed(
                        exc, plan, (req, res, lctx, gctx), lctx, hook, token
                    )
                else:
                    x = lctx.extras_if_made
                    if x is not None:
                        await orchestrator.plain_extras(
                            x, plan, route.call, (req, res, lctx, gctx), token, result
                        )
                    else:
                        try:
                            if lctx.current_phase == "processing" and lctx.meta_if_made is None:
                                # advance()'s move: no listener, no Meta to mirror
                                lctx.current_phase = "completed"
                            else:
                                lctx.advance("completed")
                        finally:
                            CURRENT.reset(token)
            else:
                await orchestrator.run(plan, route.call, req, res, lctx)
            if res.asgi is None:
                start, body = response_messages(method, res, rid_bytes)
        except Exception as exc:
            await self._fail(scope, send, exc, req, lctx)
        else:
            if res.asgi is not None:
                try:
                    await send_delegated(scope, receive, send, res, rid_bytes)
                finally:
                    await self.orchestrator.finish_after_send(lctx)
            else:
                await send(start)
                await send(body)
        x = lctx.extras_if_made
        if x is not None and x.deferred:
            await run_deferred(lctx)

    async def _other(self, kind: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Lifespan, and websockets (or other scopes) for mounted apps."""
        if kind == "lifespan":
            await self._lifespan.serve(receive, send)
        else:
            mounted = self._mounted(scope)
            if mounted is not None:
                await mounted(scope, receive, send)
            elif kind == "websocket":
                await self._websocket(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A websocket connection: routed, given a Local Context, run through its plan."""
        path = _route_path(scope) if scope.get("root_path") else scope["path"]
        try:
            route, params = self.websocket_routes.resolve("GET", path)
        except HTTPError:
            await send({"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION})
            return
        head = parse_ingress(scope, self.trusted_proxies)
        info = head[0]
        scope["path_params"] = params
        lctx = _routed(
            info.request_id,
            "GET",
            scope["path"],
            route.pattern,
            route.handler_id,
            info.version_requested,
            info.flags,
            info,
            info.trace_id,
            head[7],
        )
        ws = WebSocket(scope, receive, send, info)
        await serve_websocket(self.orchestrator, route, ws, lctx)

    def _mounted(self, scope: Scope, path: str | None = None) -> ASGIApp | None:
        """The mounted app owning this path (``path``, the route path, when read already),
        with ``scope`` adjusted for it."""
        if not self._mounts:
            return None
        if path is None:
            path = _route_path(scope)
        for prefix, app in self._mounts:
            # no new string per request: most paths fail the first test
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                scope["root_path"] = scope.get("root_path", "") + prefix
                return app
        return None

    async def _write_failure(self, exc: Exception, req: Any, res: Response, lctx: Any) -> bool:
        """The orchestrator's ``on_failure``: the error response, written into ``res`` (a
        versioned request's keeps its version headers)."""
        meta = lctx.meta
        answered = await write_failure(
            exc, req, res, meta.request_id, debug=self.debug, handlers=self.exception_handlers
        )
        if answered and meta.version is not None:
            self.timescape.answered(exc, res, meta)
        return answered

    async def _fail(self, scope: Scope, send: Send, exc: Exception, req: Any, lctx: Any) -> None:
        """Answer a failure that escaped the lifecycle (a response that could not be encoded,
        or a failure while writing the error response); a versioned request's answer carries
        its version headers, as every other failure's does."""
        meta = lctx.meta
        await send_failure(
            scope,
            req._receive,
            send,
            exc,
            req,
            meta.request_id,
            debug=self.debug,
            handlers=self.exception_handlers,
            written=None
            if meta.version is None
            else lambda res: self.timescape.answered(exc, res, meta),
        )
