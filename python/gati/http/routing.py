"""The route table: patterns parsed once here, matched by the native router or its pure twin.

Patterns are ``/users/{id}`` or ``/users/{id:int}``; a segment is static text or exactly one
parameter, typed ``str`` (default: one non-empty segment), ``int`` (ASCII digits, signed
64-bit), ``float`` (digits with an optional fraction), ``uuid`` (converted to ``uuid.UUID``)
or ``path`` (the rest of the path, slashes included, possibly empty; last segment only).
Static segments beat parameters whatever the registration order. Trailing slashes are
strict: ``/users`` and ``/users/`` are different paths and neither redirects to the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from gati._backend import twin
from gati.http.errors import HTTPError

__all__ = ["METHODS", "RouteTable", "make_router", "parse_pattern"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}\Z")
R = TypeVar("R")


class RouterLike(Protocol):
    def insert(self, segments: Sequence[tuple[str, str]], /) -> int: ...
    def lookup(self, path: str, /) -> tuple[int, dict[str, Any]] | None: ...


def make_router() -> RouterLike:
    """The active backend's router."""
    router: RouterLike = twin("Router")()
    return router


def parse_pattern(pattern: str) -> list[tuple[str, str]]:
    """``"/users/{id:int}"`` → ``[("static", "users"), ("int", "id")]``; ``ValueError`` if bad."""
    if not pattern.startswith("/"):
        raise ValueError(f"route pattern must start with '/': {pattern!r}")
    segments: list[tuple[str, str]] = []
    names: set[str] = set()
    for part in pattern[1:].split("/"):
        if "{" not in part and "}" not in part:
            segments.append(("static", part))
            continue
        match = _PARAM.match(part)
        if match is None:
            raise ValueError(
                f"in {pattern!r}: a segment is static text or one {{name}} / {{name:type}} "
                f"parameter, not {part!r}"
            )
        name, kind = match[1], match[2] or "str"
        if name in names:
            raise ValueError(f"in {pattern!r}: parameter {name!r} appears twice")
        names.add(name)
        segments.append((kind, name))
    return segments


class RouteTable(Generic[R]):
    """Maps (method, path) to a route and its converted path parameters, or 404/405."""

    __slots__ = ("_indexes", "_methods", "_router", "_static")

    def __init__(self) -> None:
        self._router = make_router()
        self._indexes: dict[str, int] = {}
        self._methods: list[dict[str, R]] = []
        self._static: dict[str, int] = {}

    def add(self, method: str, pattern: str, route: R) -> None:
        """Register ``route`` for ``method`` on ``pattern``; a duplicate is a ``ValueError``."""
        method = method.upper()
        if method not in METHODS or method == "HEAD":
            raise ValueError(f"unsupported method {method!r} (HEAD follows GET)")
        index = self._indexes.get(pattern)
        if index is None:
            segments = parse_pattern(pattern)
            index = self._router.insert(segments)
            self._indexes[pattern] = index
            self._methods.append({})
            if all(kind == "static" for kind, _ in segments):
                self._static[pattern] = index
        methods = self._methods[index]
        if method in methods:
            raise ValueError(f"{method} {pattern} is already registered")
        methods[method] = route

    def routes(self) -> list[tuple[str, str, R]]:
        """Every (method, pattern, route), in registration order of the patterns."""
        return [
            (method, pattern, route)
            for pattern, index in self._indexes.items()
            for method, route in self._methods[index].items()
        ]

    def resolve(self, method: str, path: str) -> tuple[R, dict[str, Any]]:
        """The route and its path parameters; ``HTTPError`` 404, or 405 with ``Allow``."""
        index = self._static.get(path)
        if index is None:
            found = self._router.lookup(path)
            if found is None:
                raise HTTPError(404, f"no route matches {path!r}")
            index, params = found
        else:
            params = {}
        methods = self._methods[index]
        route = methods.get(method)
        if route is None:
            if method == "HEAD" and "GET" in methods:
                return methods["GET"], params
            allowed = sorted({*methods, *(("HEAD",) if "GET" in methods else ())})
            raise HTTPError(
                405,
                f"method {method!r} is not allowed here",
                headers={"Allow": ", ".join(allowed)},
            )
        return route, params
