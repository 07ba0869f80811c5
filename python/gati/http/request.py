"""The request object handlers and hooks receive; headers, query and body are read on demand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.datastructures import Headers, QueryParams

from gati.http.errors import HTTPError
from gati.http.ingress import Ingress

__all__ = ["ClientDisconnect", "Request", "read_body"]

Receive = Callable[[], Awaitable[dict[str, Any]]]


class ClientDisconnect(Exception):
    """The client went away before the body was complete."""


def too_large(limit: int) -> HTTPError:
    """413 for a body past ``limit``; the rest of it is never read, so the connection cannot
    carry another request and the response says so (``Connection: close``)."""
    return HTTPError(413, f"request body exceeds {limit} bytes", headers={"Connection": "close"})


async def read_body(receive: Receive, limit: int) -> bytes:
    """Read the whole body, stopping with 413 as soon as it grows past ``limit`` bytes."""
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
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class Request:
    """``method``, ``path``, ``headers`` (case-insensitive), ``query``, ``path_params``,
    ``await body()``, ``await json()`` and ``validated`` (the validated body or ``None``).

    ``data``, ``query_data`` and ``params_data`` hold the validated body, query and path
    params converted per their schemas (``Validator.convert``: dataclass instances, ``UUID``,
    ``datetime`` …; the validated value itself when the schema converts nothing).
    """

    __slots__ = (
        "_body",
        "_headers",
        "_json",
        "_query",
        "_receive",
        "data",
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
        self.data: Any = None
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
        """The raw body (read once, at most ``max_body_size`` bytes, else 413)."""
        if self._body is None:
            self._body = await read_body(self._receive, self.max_body_size)
        return self._body

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
