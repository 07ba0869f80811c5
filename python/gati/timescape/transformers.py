"""Transformers: one hop between two versions of a path, migrating requests up and responses
down (DESIGN §7, Property 17).

A transformer is a class with ``request(self, req, lctx)`` (up-migration: mutate ``req.body``,
``req.query``, ``req.headers``) and ``response(self, res, lctx)`` (down-migration: mutate
``res.body``, ``res.status``, ``res.headers``); either may be missing (a no-op) and either may
be a coroutine. Both see plain mutable views (``RequestData``, ``ResponseData``), never the live
request, so a hop cannot half-apply: a hop that raises is ``TransformerFailed``, a 500 naming
the hop, never a silent pass-through. Problem bodies are migrated only by hops registered with
``errors=True``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders

from gati.hook import refused_arity
from gati.http.errors import HTTPError
from gati.http.validation import Validator, compile_schema
from gati.timescape.versions import VersionError, as_version

__all__ = ["RequestData", "ResponseData", "Transformer", "TransformerFailed"]


@dataclass(slots=True)
class RequestData:
    """The request as a transformer sees it: ``body`` (the parsed JSON body, ``None`` without
    one), ``query`` (name → text, the last value of a repeated name), ``headers`` (Starlette's
    case-insensitive ``MutableHeaders``), ``path_params``."""

    body: Any
    query: dict[str, str]
    headers: MutableHeaders
    path_params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ResponseData:
    """The response as a transformer sees it: ``body`` (the JSON value, or a problem's body for
    ``errors=True`` hops), ``status`` and ``headers`` (``MutableHeaders``, changed in place)."""

    body: Any
    status: int
    headers: MutableHeaders


class TransformerFailed(HTTPError):
    """A transformer raised: a 500 whose detail names the hop."""

    def __init__(self, hop: Transformer, direction: str, exc: BaseException) -> None:
        super().__init__(
            500,
            f"transformer {hop.name} ({hop.from_} → {hop.to}) failed migrating the "
            f"{direction}: {type(exc).__name__}",
        )
        self.hop = hop


def _check_step(impl: Any, step: Any, what: str) -> None:
    """Refuse, at registration, a ``request``/``response`` that cannot be called as ``what``
    (it would fail every migrated request with a 500)."""
    name = getattr(impl, "__qualname__", None) or type(impl).__qualname__
    method = what.split("(")[0]
    if not callable(step):
        raise TypeError(f"transformer {name}: {method} must be a method {what}")
    signature = refused_arity(step, 2)
    if signature is not None:
        shown = signature.replace(return_annotation=inspect.Signature.empty)
        raise TypeError(f"transformer {name}: {method}{shown} must accept {what}")


class Transformer:
    """One registered hop ``from_ → to`` on ``path``; immutable once registered."""

    __slots__ = (
        "_request",
        "_response",
        "errors",
        "from_",
        "name",
        "path",
        "request_schema",
        "request_validator",
        "response_schema",
        "response_validator",
        "to",
    )
    path: str
    from_: str
    to: str
    name: str
    errors: bool
    request_schema: Any
    response_schema: Any
    request_validator: Validator | None
    response_validator: Validator | None
    _request: Any
    _response: Any

    def __init__(
        self,
        path: str,
        impl: Any,
        *,
        from_: str,
        to: str,
        request_schema: Any = None,
        response_schema: Any = None,
        errors: bool = False,
    ) -> None:
        old, new = as_version(from_), as_version(to)
        if not old < new:
            raise VersionError(f"a transformer migrates an older version up: {old} → {new}")
        request = getattr(impl, "request", None)
        response = getattr(impl, "response", None)
        if request is None and response is None:
            raise TypeError(f"transformer {impl!r} defines neither request() nor response()")
        for step, what in ((request, "request(req, lctx)"), (response, "response(res, lctx)")):
            if step is not None:
                _check_step(impl, step, what)
        fields = {
            "path": path,
            "from_": old,
            "to": new,
            "name": getattr(impl, "__qualname__", None) or type(impl).__qualname__,
            "_request": request,
            "_response": response,
            "errors": bool(errors),
            "request_schema": request_schema,
            "response_schema": response_schema,
            "request_validator": compile_schema(request_schema),
            "response_validator": compile_schema(response_schema),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"transformer {self.name} is immutable once registered")

    async def up(self, data: RequestData, lctx: Any) -> None:
        """Migrate the request one hop up (``from_`` shape → ``to`` shape)."""
        await self._migrate(self._request, "request", data, lctx)

    async def down(self, data: ResponseData, lctx: Any) -> None:
        """Migrate the response one hop down (``to`` shape → ``from_`` shape)."""
        await self._migrate(self._response, "response", data, lctx)

    async def _migrate(self, step: Any, direction: str, data: Any, lctx: Any) -> None:
        """Run the implementation's ``step`` (sync or async), if it has one, on ``data``;
        whatever it raises becomes ``TransformerFailed`` naming this hop and ``direction``."""
        if step is None:
            return
        try:
            r = step(data, lctx)
            if r is not None and inspect.isawaitable(r):
                await r
        except Exception as exc:
            raise TransformerFailed(self, direction, exc) from exc

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary for introspection."""
        return {
            "name": self.name,
            "from": self.from_,
            "to": self.to,
            "request": self._request is not None,
            "response": self._response is not None,
            "errors": self.errors,
        }

    def __repr__(self) -> str:
        return f"<Transformer {self.name} {self.path} {self.from_} → {self.to}>"
