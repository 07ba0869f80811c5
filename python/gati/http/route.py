"""A registered route and the call the lifecycle runs for it: request validation (and
conversion into ``req.data``) → handler → response validation, which lets out only the
declared fields (DESIGN §7). Sync handlers run in a worker thread, as Starlette does,
so they never block the event loop for other requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response as StarletteResponse

from gati.errors import ValidationError
from gati.hook import refused_arity
from gati.http.errors import HTTPError
from gati.http.forms import FormLimits
from gati.http.header_params import header_params
from gati.http.options import RouteOptions
from gati.http.request import Request
from gati.http.response import JSON_MEDIA, Response
from gati.http.validation import (
    Coercion,
    RequestInvalid,
    ResponseInvalid,
    Validator,
    check_parts,
    coerce_query,
    compile_schema,
    converts,
    is_json_media,
    query_coercions,
)
from gati.lifecycle.hook_ids import unique_hook_id
from gati.lifecycle.hooks import Hook, is_async_callable
from gati.lifecycle.plan import DEFAULT_TIMEOUT, RoutePlan, plan_route

# A JSON body larger than this is validated on a worker thread, so that the event loop keeps
# answering other requests (``/healthz`` among them) while a large document is read; below
# it the thread hop (~50 µs) would cost more than the validation (docs/http.md, "Ingress").
OFFLOAD_BODY_BYTES = 64 * 1024

__all__ = ["Route", "check_handler"]


def _read_body(validator: Validator, converts: bool, req: Request[Any], body: bytes) -> None:
    """Validate (and convert) a JSON body into ``req.validated`` and ``req.data``."""
    req.validated = validator.validate_json(body)
    if converts:  # otherwise req.data is req.validated
        req.data = validator.convert(req.validated)


Handler = Callable[..., Any]


def check_handler(fn: Handler) -> None:
    """Refuse, at registration, a handler that cannot take ``(req, res, lctx, gctx)``."""
    if not callable(fn):
        raise TypeError(f"a handler must be callable, not {type(fn).__name__}")
    signature = refused_arity(fn, 4)
    if signature is not None:
        name = getattr(fn, "__qualname__", repr(fn))
        raise TypeError(
            f"handler {name}{signature} must accept four positional arguments "
            "(req, res, lctx, gctx)"
        )


def _documented_statuses(responses: Mapping[int, Any] | None) -> dict[int, Any]:
    """``responses=``: extra documented statuses, each a description, a schema or ``None``."""
    checked: dict[int, Any] = {}
    for status, what in (responses or {}).items():
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"responses= keys are HTTP status codes, not {status!r}")
        checked[status] = what
    return checked


def ambiguous_return(handler_id: str, result: Any, wrote_body: bool) -> TypeError:
    """The error for a return value gati will not guess about: a value returned after a body
    was written, or a Flask-style ``(body, status)`` tuple."""
    if wrote_body:
        return TypeError(
            f"handler {handler_id} wrote a body on res and also returned "
            f"{type(result).__name__}; write the body or return it, not both"
        )
    return TypeError(
        f"handler {handler_id} returned a 2-tuple; for (body, status) write "
        "res.status(status) and return body (return list(...) to send a JSON array)"
    )


def _route_hooks(hooks: Sequence[Hook | Handler]) -> tuple[Hook, ...]:
    """The route-level chain; plain callables get ids unique within it (factory-made hooks
    share a qualified name)."""
    chain: list[Hook] = []
    for hook in hooks:
        taken = [h.id for h in chain if h.kind == "before"]
        chain.append(_route_hook(hook, taken))
    return tuple(chain)


def _route_hook(hook: Hook | Handler, taken: Sequence[str] = ()) -> Hook:
    """Route-level hooks: a plain callable is a before hook; a ``Hook`` keeps its settings."""
    if not isinstance(hook, Hook):
        return Hook(hook, kind="before", level="route", id=unique_hook_id(hook, taken))
    if hook.level == "route":
        return hook
    return Hook(
        hook.fn,
        kind=hook.kind,
        level="route",
        id=hook.id,
        priority=hook.priority,
        timeout=hook.timeout,
        retries=hook.retries,
        backoff=hook.backoff,
    )


class Route:
    """One (method, pattern) with its handler, compiled schemas, policies and hook plan."""

    __slots__ = (
        "body_converts",
        "body_validator",
        "checks",
        "cookies_schema",
        "deprecated",
        "handler",
        "handler_id",
        "headers_schema",
        "hooks",
        "is_async",
        "max_body_size",
        "method",
        "params_converts",
        "params_schema",
        "params_validator",
        "pattern",
        "plan",
        "plan_edit",
        "policy",
        "prepare",
        "query_coercions",
        "query_converts",
        "query_schema",
        "query_validator",
        "rate_limit",
        "request_schema",
        "response_schema",
        "response_validator",
        "responses",
        "roles",
        "server_error",
        "steps",
        "summary",
        "tags",
        "timeout",
        "validates",
        "version",
    )

    def __init__(
        self,
        method: str,
        pattern: str,
        handler: Handler,
        *,
        request: Any = None,
        response: Any = None,
        query: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        form_limits: FormLimits | None = None,
        roles: Sequence[str] | None = None,
        rate_limit: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: str | None = None,
        tags: Sequence[str] = (),
        hooks: Sequence[Hook | Handler] = (),
        max_body_size: int,
        handler_id: str | None = None,
        summary: str | None = None,
        deprecated: bool = False,
        responses: Mapping[int, Any] | None = None,
        steps: Sequence[Hook] = (),
        policy: Any = None,
    ) -> None:
        check_handler(handler)
        if max_body_size < 0:
            raise ValueError("max_body_size must be >= 0")
        self.method = method
        self.pattern = pattern
        self.handler = handler
        self.handler_id = handler_id or f"{handler.__module__}.{handler.__qualname__}"
        self.is_async = is_async_callable(handler)
        # The schemas as declared, for the OpenAPI document and the manifests.
        self.request_schema = request
        self.response_schema = response
        self.query_schema = query
        self.params_schema = params
        self.headers_schema = headers
        self.cookies_schema = cookies
        check_parts(pattern, query, params)
        self.body_validator: Validator | None = compile_schema(request)
        self.response_validator: Validator | None = compile_schema(response)
        self.query_validator: Validator | None = compile_schema(query)
        self.query_coercions: tuple[Coercion, ...] = query_coercions(query)
        self.params_validator: Validator | None = compile_schema(params)
        self.body_converts = converts(request)
        self.query_converts = converts(query)
        self.params_converts = converts(params)
        # steps run on the request before the handler: header/cookie checks, form limits
        self.prepare: tuple[Callable[[Any], None], ...] = (
            *(part.check for part in header_params(headers, cookies)),
            *(() if form_limits is None else (form_limits.apply,)),
        )
        # whether _check has anything to do (query, path parameters, header/cookie/form steps)
        self.checks = bool(
            self.query_validator is not None or self.params_validator is not None or self.prepare
        )
        self.validates = any(
            v is not None
            for v in (self.body_validator, self.query_validator, self.params_validator)
        ) or (headers is not None or cookies is not None)
        self.roles = tuple(roles or ())
        self.rate_limit = rate_limit
        self.timeout = timeout
        self.version = version
        self.hooks = _route_hooks(hooks)
        self.max_body_size = max_body_size
        # Documentation only: OpenAPI summary, deprecation and extra documented statuses.
        self.tags = tuple(tags)
        self.summary = summary
        self.deprecated = deprecated
        self.responses = _documented_statuses(responses)
        # Built-in before steps (policies: audit, auth, rate limit) run ahead of every hook;
        # ``policy`` describes them (``gati.policy.RoutePolicy``).
        self.steps = tuple(steps)
        self.policy = policy
        # called when the handler answers 5xx without raising (Timescape's version health)
        self.server_error: Callable[[], None] | None = None
        # a built-in edit applied to every plan made for this route (the Playground's debug
        # gates), so it survives each re-plan
        self.plan_edit: Callable[[RoutePlan], RoutePlan] | None = None
        self.plan: RoutePlan = self._plan(())

    @classmethod
    def declared(
        cls,
        method: str,
        pattern: str,
        handler: Handler,
        options: RouteOptions,
        *,
        timeout: float | None,
        max_body_size: int,
        form_limits: FormLimits | None = None,
        steps: Sequence[Hook] = (),
        policy: Any = None,
    ) -> Route:
        """The route ``app.route(method, pattern, **options)`` declares; ``timeout``,
        ``max_body_size`` and ``form_limits`` are the app's defaults, ``steps`` and ``policy``
        its policies
        (``auth``, ``burst``, ``cost``, ``key``, ``on_store_error`` and ``pin_versions`` act
        through those and Timescape, not here)."""
        rate_limit = options.get("rate_limit")
        own_timeout = options.get("timeout", ...)
        own_body = options.get("max_body_size")
        own_forms = options.get("form_limits")
        return cls(
            method,
            pattern,
            handler,
            request=options.get("request"),
            response=options.get("response"),
            query=options.get("query"),
            params=options.get("params"),
            headers=options.get("headers"),
            cookies=options.get("cookies"),
            form_limits=own_forms if own_forms is not None else form_limits,
            roles=options.get("roles"),
            rate_limit=rate_limit if isinstance(rate_limit, str) else None,
            timeout=timeout if own_timeout is ... else own_timeout,
            version=options.get("version"),
            tags=options.get("tags", ()),
            hooks=options.get("hooks", ()),
            max_body_size=max_body_size if own_body is None else own_body,
            handler_id=options.get("id"),
            summary=options.get("summary"),
            deprecated=options.get("deprecated", False),
            responses=options.get("responses"),
            steps=steps,
            policy=policy,
        )

    def replan(self, global_hooks: Sequence[Hook]) -> None:
        """Order the global + route hook chains (once, at start-up or after a change)."""
        self.plan = self._plan(global_hooks)

    def _plan(self, global_hooks: Sequence[Hook]) -> RoutePlan:
        plan = plan_route(global_hooks, self.hooks, timeout=self.timeout)
        before = (*self.steps, *plan.before)
        direct = None
        if self.is_async and self.body_validator is None:  # nothing to await before the handler
            check = self._check if self.checks else None
            direct = (check, self.handler, self.answer, self.validates)
        plan = RoutePlan(before, plan.after, plan.catch, plan.timeout, direct)
        return plan if self.plan_edit is None else self.plan_edit(plan)

    async def call(self, req: Request[Any], res: Response, lctx: Any, gctx: Any) -> Any:
        """Validate the request, run the handler, keep its result, validate the response."""
        if self.body_validator is not None:
            if not is_json_media(req.info.content_type):
                raise HTTPError(415, "this route requires an application/json body")
            body = await req.body()
            read = (self.body_validator, self.body_converts, req, body)
            try:
                if len(body) > OFFLOAD_BODY_BYTES:  # the loop keeps serving meanwhile
                    await run_in_threadpool(_read_body, *read)
                else:
                    _read_body(*read)
            except ValidationError as exc:
                raise RequestInvalid(exc, "body") from None
        if self.checks:
            self._check(req)
        if (
            lctx.current_phase == "routed"
            and lctx.extras_if_made is None
            and lctx.meta_if_made is None
        ):
            # advance()'s moves with no phase listener to call or Meta to mirror ("validated"
            # is never seen)
            lctx.current_phase = "processing"
        else:
            if self.validates:
                lctx.advance("validated")
            lctx.advance("processing")
        if self.is_async:
            result = await self.handler(req, res, lctx, gctx)
        else:
            result = await run_in_threadpool(self.handler, req, res, lctx, gctx)
        self.answer(result, res)
        return result

    def _check(self, req: Request[Any]) -> None:
        """The query, path parameters and header/cookie/form steps: validated, converted into
        ``req``; ``RequestInvalid`` (422) on the first part that fails."""
        if self.query_validator is not None:
            values = coerce_query(req.query, self.query_coercions)
            try:
                req.query_validated = self.query_validator.validate(values)
                req.query_data = (
                    self.query_validator.convert(values)
                    if self.query_converts
                    else req.query_validated
                )
            except ValidationError as exc:
                raise RequestInvalid(exc, "query") from None
        if self.params_validator is not None:
            try:
                req.params_data = (
                    self.params_validator.convert(req.path_params)
                    if self.params_converts
                    else self.params_validator.validate(req.path_params)
                )
            except ValidationError as exc:
                raise RequestInvalid(exc, "path") from None
        for step in self.prepare:
            step(req)

    def answer(self, result: Any, res: Response) -> None:
        """What the call does with the handler's result: a returned value becomes the JSON
        body (a Starlette response is delegated to), the response is validated against the
        route's schema, and a 5xx is reported to ``server_error``."""
        if result is not None and result is not res:
            if type(result) is not dict and isinstance(result, StarletteResponse):
                res.delegate(result)
                if result.status_code >= 500 and self.server_error is not None:
                    self.server_error()
            # res.has_body written out: the property's call costs ~300 instructions a request
            elif (res._media_type is not None or res.asgi is not None) or (
                type(result) is tuple and len(result) == 2
            ):
                raise ambiguous_return(self.handler_id, result, res.has_body)
            else:  # res.json(result) written out: the method call costs ~300 instructions
                res._payload = result
                res._body = None
                res._media_type = JSON_MEDIA
                res.written = True
        if self.response_validator is not None and res.has_json:
            try:  # only what the schema declares leaves (docs/http.md, "Responses")
                dumped = self.response_validator.dump(res.payload)
            except ValidationError as exc:
                raise ResponseInvalid(self.handler_id, exc) from None
            if dumped is not res.payload:
                res.json(dumped)
        if res.status_code >= 500 and self.server_error is not None and res.asgi is None:
            self.server_error()
