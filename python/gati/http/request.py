"""The request object handlers and hooks receive; headers, query and body are read on demand."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Generic

import orjson
from starlette.datastructures import FormData, Headers, QueryParams
from typing_extensions import TypeVar

from gati.context.current import CURRENT
from gati.http.cookies import cookie_parser
from gati.http.errors import HTTPError
from gati.http.forms import DEFAULT_LIMITS, FormLimits, parse_form
from gati.http.ingress import Ingress

__all__ = ["ClientDisconnect", "Request"]

Receive = Callable[[], Awaitable[dict[str, Any]]]
Body = TypeVar("Body", default=Any)  # a bare ``Request`` is ``Request[Any]``


class ClientDisconnect(Exception):
    """The client went away before the body was complete."""


def too_large(limit: int) -> HTTPError:
    """413 for a body past ``limit``; the rest of it is never read, so the connection cannot
    carry another request and the response says so (``Connection: close``)."""
    return HTTPError(413, f"request body exceeds {limit} bytes", headers={"Connection": "close"})


class Request(Generic[Body]):
    """``method``, ``path``, ``headers`` (case-insensitive), ``query``, ``path_params``,
    ``cookies``, ``await body()``, ``await json()``, ``await form()``, ``stream()``,
    ``validated`` (the validated body or ``None``) and ``data`` (the body as the route's
    ``request=`` schema gives it; annotate ``req: Request[CreateBook]`` to type it).

    ``data``, ``query_data`` and ``params_data`` hold the validated body, query and path
    params converted per their schemas (``Validator.convert``: dataclass instances, ``UUID``,
    ``datetime`` …; the validated value itself when the schema converts nothing).
    """

    __slots__ = (
        "_body",
        "_cookies_validated",
        "_data",
        "_form",
        "_form_limits",
        "_headers",
        "_headers_validated",
        "_json",
        "_query",
        "_receive",
        "_streamed",
        "info",
        "max_body_size",
        "params_data",
        "path_params",
        "query_data",
        "query_validated",
        "scope",
        "validated",
    )

    def __init__(
        self,
        scope: dict[str, Any],
        receive: Receive,
        info: Ingress,
        path_params: dict[str, Any],
        max_body_size: int,
    ) -> None:
        self.scope = scope
        self._receive = receive
        self.info = info
        self.path_params = path_params
        self.max_body_size = max_body_size
        self.validated: Any = None
        self.query_validated: Any = None
        self.query_data: Any = None
        self.params_data: Any = None
        self._headers: Headers | None = None
        self._query: QueryParams | None = None
        self._body: bytes | None = None
        self._json: Any = _UNSET

    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def path(self) -> str:
        path: str = self.scope["path"]
        return path

    @property
    def request_id(self) -> str:
        return self.info.request_id

    @property
    def client_ip(self) -> str | None:
        """The client address; forwarding headers count only behind ``trusted_proxies``."""
        return self.info.client_ip

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    @property
    def query(self) -> QueryParams:
        if self._query is None:
            self._query = QueryParams(self.scope.get("query_string", b""))
        return self._query

    async def body(self) -> bytes:
        """The raw body (read once, at most ``max_body_size`` bytes, else 413: it stops as
        soon as the body grows past the limit). The reading loop is written here, not in a
        helper coroutine: one coroutine frame fewer per body read."""
        if self._body is not None:
            return self._body
        if getattr(self, "_streamed", False):
            raise RuntimeError("the request body was already consumed by stream() or form()")
        receive, limit = self._receive, self.max_body_size
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            kind = message["type"]
            if kind == "http.disconnect":
                raise ClientDisconnect
            if kind != "http.request":
                continue
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
            if not message.get("more_body", False):
                body = self._body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                return body

    @property
    def data(self) -> Body:
        """The body as the route's ``request=`` schema gives it (typed by ``Request[...]``);
        until something sets it, the validated value (``None`` without a body schema). A
        property, so requests that never read it cost nothing more."""
        data: Body = getattr(self, "_data", self.validated)
        return data

    @data.setter
    def data(self, value: Body) -> None:
        self._data = value

    @property
    def headers_validated(self) -> Any:
        """The route's ``headers=`` schema result (``None`` without one)."""
        return getattr(self, "_headers_validated", None)

    @property
    def cookies_validated(self) -> Any:
        """The route's ``cookies=`` schema result (``None`` without one)."""
        return getattr(self, "_cookies_validated", None)

    @property
    def session(self) -> dict[str, Any]:
        """The session dict of Starlette's ``SessionMiddleware`` (a ``RuntimeError`` that
        says so when the app has none)."""
        if "session" not in self.scope:
            raise RuntimeError(
                "req.session needs starlette's SessionMiddleware: "
                "App(middleware=[Middleware(SessionMiddleware, secret_key=...)])"
            )
        session: dict[str, Any] = self.scope["session"]
        return session

    @property
    def cookies(self) -> dict[str, str]:
        """The ``Cookie`` header's name → value pairs (parsed as browsers send them)."""
        return cookie_parser(self.headers.get("cookie", ""))

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """The body chunk by chunk as it arrives (at most ``max_body_size`` bytes, else 413);
        the body already read is yielded from memory. A streamed body cannot be read again."""
        if self._body is not None:
            yield self._body
            return
        if getattr(self, "_streamed", False):
            raise RuntimeError("the request body was already consumed by stream()")
        self._streamed = True
        size = 0
        while True:
            message = await self._receive()
            kind = message["type"]
            if kind == "http.disconnect":
                raise ClientDisconnect
            if kind != "http.request":
                continue
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_body_size:
                    raise too_large(self.max_body_size)
                yield chunk
            if not message.get("more_body", False):
                return

    async def form(
        self,
        *,
        max_files: int | None = None,
        max_fields: int | None = None,
        max_part_size: int | None = None,
        max_size: int | None = None,
    ) -> FormData:
        """The urlencoded or multipart form (python-multipart), parsed once; files past 1 MiB
        are spooled to disk. Limits default to the route's or app's ``form_limits=`` (1000
        files, 1000 fields, 1 MiB per field, the whole form bounded by ``max_body_size``);
        more files or fields, a larger field or a larger form than ``max_size`` bytes is a
        413, a malformed form a 400, another media type a 415."""
        form: FormData | None = getattr(self, "_form", None)
        if form is None:
            limits: FormLimits = getattr(self, "_form_limits", DEFAULT_LIMITS)
            form = await parse_form(
                self.headers,
                self.stream(),
                max_files=limits.max_files if max_files is None else max_files,
                max_fields=limits.max_fields if max_fields is None else max_fields,
                max_part_size=limits.max_part_size if max_part_size is None else max_part_size,
                max_size=limits.max_size if max_size is None else max_size,
            )
            self._form = form
            lctx = CURRENT.get(None)
            if lctx is not None:  # uploaded files are closed (deleted) when the request ends
                lctx.on_cleanup(form.close)
        return form

    async def json(self) -> Any:
        """The body parsed as JSON; malformed or too deeply nested JSON is a 400."""
        if self._json is _UNSET:
            raw = await self.body()
            try:
                self._json = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise HTTPError(400, f"malformed JSON body: {exc}") from None
        return self._json

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path} id={self.info.request_id}>"


_UNSET: Any = object()
