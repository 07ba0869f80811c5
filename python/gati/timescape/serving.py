"""``Served``: one version of a route as the request path sees it: a route-like object (plan,
``call``, body limit, ids) that runs its implementation directly, or through transformer hops.

The version headers are added before the implementation runs; a built-in catch hook
(``gati.timescape``) puts them on problem responses and counts 5xx failures for health, so the
common path adds no coroutine frame. What the catch hook never sees is covered elsewhere: a 5xx
the handler answers without raising is counted by the implementation's route
(``Route.server_error``), and a timeout's 504 or a crash's 500 written by the app gets its
headers and count through ``answered``. A migrated request is validated against the requested
version's schemas on the way in, migrated up hop by hop, validated and handled by the
implementation with its own schemas, then its response is migrated back down hop by hop and
validated against the old response schema (Property 17). Every response, errors included,
carries ``Gati-Version`` and the version's ``Deprecation``/``Sunset`` headers.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson
from starlette.datastructures import MutableHeaders

from gati.errors import RequestTimeout, ValidationError
from gati.http.encoding import ResponseNotEncodable
from gati.http.errors import PROBLEM_JSON, HTTPError, problem_body
from gati.http.request import Request
from gati.http.response import Response
from gati.http.route import Route
from gati.http.validation import (
    RequestInvalid,
    ResponseInvalid,
    Validator,
    is_json_media,
)
from gati.lifecycle.hooks import Hook
from gati.lifecycle.plan import RoutePlan
from gati.timescape.health import Key, Tally
from gati.timescape.transformers import RequestData, ResponseData, Transformer

if TYPE_CHECKING:
    from gati.timescape.resolution import VersionedRoute

__all__ = ["Served"]

# (usage entry [requests, last use], health tally, failure callback)
Counters = tuple[list[Any], Tally, Callable[[Key, float], None]]
_time = time.time
_log = logging.getLogger("gati.timescape")


def _replay(body: bytes) -> Callable[[], Any]:
    """An ASGI ``receive`` that hands over ``body`` in one message."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class Served:
    """Version ``version`` of a route, served by ``impl`` through ``hops`` (maybe none)."""

    # Every slot of Route too: the implementation's route options (roles, rate limits, any
    # option the request path reads) are copied in, so each read is a plain slot read.
    __slots__ = tuple(
        sorted(
            {*Route.__slots__}
            | {"_header_map", "_in", "_out", "group", "headers", "hops", "impl", "key"}
            | {"_run", "_warned", "on_failure", "tally", "usage"}
        )
    )

    def __init__(
        self,
        group: VersionedRoute,
        version: str,
        impl: Route,
        hops: tuple[Transformer, ...],
        shape: tuple[Validator | None, Validator | None],
        retirement: tuple[tuple[bytes, bytes], ...],
        counters: Counters,
    ) -> None:
        for name in Route.__slots__:
            if hasattr(impl, name):
                setattr(self, name, getattr(impl, name))
        self.group = group
        self.version = version
        self.impl = impl
        self.hops = hops
        plan = impl.plan
        hook = Hook(self.caught, kind="catch", level="route", id="gati.timescape")
        self.plan = RoutePlan(plan.before, plan.after, (hook, *plan.catch), plan.timeout)
        self.headers = [(b"gati-version", version.encode("ascii")), *retirement]
        self._header_map = {k.decode("latin-1"): v.decode("latin-1") for k, v in self.headers}
        # the requested version's request and response validators: checked when migrating
        self._in, self._out = shape if hops else (None, None)
        assert impl.version is not None
        self.key = (impl.method, impl.pattern, impl.version)
        self.usage, self.tally, self.on_failure = counters
        self._run = impl.call  # bound once, not per request
        self._warned = False  # a delegated body that cannot be migrated was logged

    if TYPE_CHECKING:  # for the type checker only: a runtime __getattr__ would unspecialise
        # every attribute read of this object (measured: 0.5 µs per request in total)

        def __getattr__(self, name: str) -> Any: ...

    @property
    def served_by(self) -> str:
        """The version of the implementation that runs."""
        return self.key[2]

    def call(self, req: Request, res: Response, lctx: Any, gctx: Any) -> Awaitable[Any]:
        """Add the version headers, count the request (last use: its start time) and hand back
        the implementation's coroutine (or the migration's): no coroutine frame of its own,
        which measured 0.3 µs per request. Failures reach ``caught``, the plan's built-in
        catch hook."""
        res.headers += self.headers
        now = lctx.started_at  # the app's clock read for this request: no second one
        usage = self.usage
        usage[0] += 1
        usage[1] = now
        tally = self.tally
        if now >= tally.until:
            tally.roll(now)
        tally.requests += 1
        if self.hops:
            return self._migrated(req, res, lctx, gctx)
        return self._run(req, res, lctx, gctx)

    async def caught(self, exc: Exception, req: Any, res: Response, lctx: Any, gctx: Any) -> None:
        """The ``gati.timescape`` catch hook: problems carry the version headers, and a 5xx
        (a raised ``HTTPError`` of 500 or more, or an unhandled exception) counts against the
        implementation's health."""
        if isinstance(exc, HTTPError):
            exc.headers.update(self._header_map)
            failed = exc.status >= 500
        elif isinstance(exc, RequestInvalid):  # answered here, where the headers are known
            problem = exc.problem()
            body = problem_body(400, problem.detail, lctx.meta.request_id, extra=problem.extra)
            res.status(400).send(body, PROBLEM_JSON)
            failed = False
        else:
            failed = True
        if failed:
            self.failed()

    def answered(self, exc: Exception, res: Response) -> None:
        """After the app wrote the response for a failure no catch hook answered (a crash's
        500, a timeout's 504, an exception handler's answer): put the version headers on it,
        and count a timeout or a response that could not be encoded against health (the
        catch hook never sees either)."""
        names = {name for name, _ in self.headers}
        res.headers = [pair for pair in res.headers if pair[0] not in names]
        res.headers += self.headers
        if isinstance(exc, RequestTimeout | ResponseNotEncodable):
            self.failed()

    def failed(self) -> None:
        """Count one 5xx answer against the implementation's health."""
        self.tally.failures += 1
        self.on_failure(self.key, _time())

    async def _migrated(self, req: Request, res: Response, lctx: Any, gctx: Any) -> Any:
        raw = await req.body()
        body: Any = None
        json_body = is_json_media(req.info.content_type)
        if self._in is not None and not json_body:
            raise HTTPError(415, "this route requires an application/json body")
        if raw and json_body:
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise HTTPError(400, f"malformed JSON body: {exc}") from None
        if self._in is not None:
            try:
                self._in.validate(body)
            except ValidationError as exc:
                raise RequestInvalid(exc, "body") from None
        query = dict(req.query) if req.scope.get("query_string") else {}
        headers = MutableHeaders(raw=list(req.scope["headers"]))
        data = RequestData(body, dict(query), headers, dict(req.path_params))
        for hop in self.hops:
            await hop.up(data, lctx)
        upgraded = self._upgraded(req, raw, data, query)
        try:
            result = await self.impl.call(upgraded, res, lctx, gctx)
        except (HTTPError, RequestInvalid) as exc:
            raise await self._migrated_error(exc, lctx) from None
        if res.asgi is None:
            await self._downgrade(res, lctx)
        else:
            await self._downgrade_delegated(res.asgi, lctx)
        return result

    def _upgraded(
        self, req: Request, raw: bytes, data: RequestData, query: dict[str, str]
    ) -> Request:
        """The request as the implementation's version expects it (the query string is
        rebuilt only when a hop changed the query)."""
        info = req.info
        headers = data.headers.raw
        if data.body is not None:
            raw = orjson.dumps(data.body)
            if not is_json_media(info.content_type):
                info = copy.copy(info)
                info.content_type = b"application/json"
                headers = [(k, v) for k, v in headers if k != b"content-type"]
                headers.append((b"content-type", b"application/json"))
        if raw:
            headers = [(k, v) for k, v in headers if k != b"content-length"]
            headers.append((b"content-length", b"%d" % len(raw)))
        scope = {**req.scope, "headers": headers}
        if data.query != query:
            scope["query_string"] = urlencode(data.query).encode("latin-1")
        return Request(scope, _replay(raw), info, data.path_params, req.max_body_size)

    async def _downgrade(self, res: Response, lctx: Any) -> None:
        """Migrate the response down every hop, then check it against the old schema."""
        had_json = res.has_json
        headers = MutableHeaders(raw=res.headers)
        # A copy (one JSON round trip): the handler may have sent an object it keeps.
        body = orjson.loads(orjson.dumps(res.payload)) if had_json else None
        data = ResponseData(body, res.status_code, headers)
        for hop in reversed(self.hops):
            await hop.down(data, lctx)
        res.status(data.status)
        res.headers = data.headers.raw
        if had_json or data.body is not None:
            res.json(data.body)
        if self._out is not None and res.has_json:
            try:
                self._out.validate(res.payload)
            except ValidationError as exc:
                raise ResponseInvalid(self.handler_id, exc) from None

    async def _downgrade_delegated(self, response: Any, lctx: Any) -> None:
        """A Starlette response the implementation returned: a JSON body is decoded, migrated
        down every hop and encoded again (``Content-Length`` fixed); a streamed, file or
        non-JSON body cannot be, so it passes through unmigrated, which is logged."""
        body = getattr(response, "body", None)
        media = dict(response.raw_headers).get(b"content-type", b"")
        if not isinstance(body, bytes) or not is_json_media(media):
            if not self._warned:
                self._warned = True
                _log.warning(
                    "%s %s: version %s returned a %s without a JSON body; it is sent as the "
                    "implementation (%s) made it, not migrated",
                    self.method,
                    self.pattern,
                    self.version,
                    type(response).__name__,
                    self.served_by,
                )
            return
        raw = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
        payload = orjson.loads(body) if body else None
        data = ResponseData(payload, response.status_code, MutableHeaders(raw=raw))
        for hop in reversed(self.hops):
            await hop.down(data, lctx)
        if self._out is not None and data.body is not None:
            try:
                self._out.validate(data.body)
            except ValidationError as exc:
                raise ResponseInvalid(self.handler_id, exc) from None
        response.body = b"" if data.body is None and not body else orjson.dumps(data.body)
        response.status_code = data.status
        headers = data.headers.raw
        headers.append((b"content-length", b"%d" % len(response.body)))
        response.raw_headers = headers

    async def _migrated_error(self, exc: HTTPError | RequestInvalid, lctx: Any) -> Exception:
        """Migrate a problem down the hops that opted in with ``errors=True``."""
        if not any(hop.errors for hop in self.hops):
            return exc
        error = exc.problem() if isinstance(exc, RequestInvalid) else exc
        body = {"type": "about:blank", "title": error.title, "detail": error.detail}
        body.update(error.extra)
        data = ResponseData(body, error.status, MutableHeaders(headers=error.headers))
        for hop in reversed(self.hops):
            if hop.errors:
                await hop.down(data, lctx)
        out = data.body if isinstance(data.body, dict) else {"detail": str(data.body)}
        extra = {k: v for k, v in out.items() if k not in ("type", "title", "detail", "status")}
        return HTTPError(
            data.status,
            str(out.get("detail", error.detail)),
            title=out.get("title"),
            headers=dict(data.headers.items()),
            extra=extra,
        )
