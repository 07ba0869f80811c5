"""The route table: patterns parsed once here, matched by the native router or its pure twin.

Patterns are ``/users/{id}`` or ``/users/{id:int}``; a segment is static text or exactly one
parameter, typed ``str`` (default: one non-empty segment), ``int`` (ASCII digits, signed
64-bit), ``float`` (digits with an optional fraction), ``uuid`` (converted to ``uuid.UUID``)
or ``path`` (the rest of the path, slashes included, possibly empty; last segment only).
Static segments beat parameters whatever the registration order. Trailing slashes are
strict: ``/users`` and ``/users/`` are different paths and neither redirects to the other.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from gati._backend import twin
from gati._tables import JSON_INTEGER, JSON_NUMBER
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
        if "{" not in part and "}" not in part and not (part.startswith("<") and ">" in part):
            segments.append(("static", part))
            continue
        match = _PARAM.match(part)
        if match is None and "<" in part and ">" in part:
            raise ValueError(
                f"in {pattern!r}: {part!r} is Flask syntax; gati writes parameters as "
                "{name} or {name:int} (types: str, int, float, uuid, path)"
            )
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


_INTEGER, _NUMBER = re.compile(JSON_INTEGER), re.compile(JSON_NUMBER)


def _converts(kind: str, text: str) -> bool:
    """Whether ``text`` reads as a parameter of ``kind`` (for the 404 message only): numbers
    by JSON's grammar, as both routers read them (docs/http.md, Routing)."""
    if kind == "int":
        fits = len(text) <= 20 and _INTEGER.match(text) is not None
        return fits and -(2**63) <= int(text) < 2**63
    if kind == "float":
        return _NUMBER.match(text) is not None and math.isfinite(float(text))
    if kind == "uuid":
        try:
            uuid.UUID(text)
        except ValueError:
            return False
    return True


class RouteTable(Generic[R]):
    """Maps (method, path) to a route and its converted path parameters, or 404/405."""

    __slots__ = ("_by_length", "_indexes", "_methods", "_router", "static")

    def __init__(self) -> None:
        self._router = make_router()
        self._indexes: dict[str, int] = {}
        self._methods: list[dict[str, R]] = []
        # each fully static pattern's routes by method (the dicts of ``_methods``): the app
        # looks the common request up here without a call, and resolves the rest
        self.static: dict[str, dict[str, R]] = {}
        self._by_length: dict[int, list[tuple[str, list[tuple[str, str]]]]] = {}

    def add(self, method: str, pattern: str, route: R) -> None:
        """Register ``route`` for ``method`` on ``pattern``; a duplicate is a ``ValueError``."""
        method = method.upper()
        if method not in METHODS or method == "HEAD":
            raise ValueError(f"unsupported method {method!r} (HEAD follows GET)")
        index = self._indexes.get(pattern)
        if index is None:
            segments = parse_pattern(pattern)
            try:
                index = self._router.insert(segments)
            except ValueError as exc:
                raise self._conflict(pattern, exc) from None
            self._indexes[pattern] = index
            self._methods.append({})
            if not any(kind == "path" for kind, _ in segments):
                self._by_length.setdefault(len(segments), []).append((pattern, segments))
            if all(kind == "static" for kind, _ in segments):
                self.static[pattern] = self._methods[index]
        methods = self._methods[index]
        if method in methods:
            raise ValueError(f"{method} {pattern} is already registered")
        methods[method] = route

    def _conflict(self, pattern: str, exc: ValueError) -> ValueError:
        """The router's "conflicts with route #N" told with the other pattern's text."""
        match = re.search(r"#(\d+)", str(exc))
        others = [p for p, i in self._indexes.items() if match and i == int(match[1])]
        if not others:
            return exc
        return ValueError(
            f"pattern {pattern!r} conflicts with the registered {others[0]!r}: the same path "
            "shape with other parameter names or types, or a second catch-all at one place"
        )

    def routes(self) -> list[tuple[str, str, R]]:
        """Every (method, pattern, route), in registration order of the patterns."""
        return [
            (method, pattern, route)
            for pattern, index in self._indexes.items()
            for method, route in self._methods[index].items()
        ]

    def _not_found(self, path: str) -> str:
        """The 404 detail; when a pattern fits the path but one of its typed parameters did
        not convert (``/notes/abc`` against ``/notes/{note_id:int}``), it says which. Only
        patterns with as many segments as the path are looked at."""
        parts = path[1:].split("/")
        for pattern, segments in self._by_length.get(len(parts), ()):
            failed = None
            for (kind, name), part in zip(segments, parts, strict=True):
                if (kind == "static" and part != name) or not part:
                    break
                if failed is None and not _converts(kind, part):
                    failed = (name, kind, part)
            else:
                if failed is not None:
                    name, kind, part = failed
                    return (
                        f"no route matches {path!r}: {pattern!r} fits the path, but parameter "
                        f"{name!r} did not convert to {kind} ({part!r})"
                    )
        return f"no route matches {path!r}"

    def resolve(self, method: str, path: str) -> tuple[R, dict[str, Any]]:
        """The route and its path parameters; ``HTTPError`` 404, or 405 with ``Allow``."""
        methods = self.static.get(path)
        if methods is None:
            return self.resolve_dynamic(method, path)
        route = methods.get(method)
        return (route, {}) if route is not None else self._other_method(methods, method, {})

    def resolve_dynamic(self, method: str, path: str) -> tuple[R, dict[str, Any]]:
        """``resolve`` for a path that is none of the static patterns (the router's)."""
        found = self._router.lookup(path)
        if found is None:
            raise HTTPError(404, self._not_found(path))
        index, params = found
        methods = self._methods[index]
        route = methods.get(method)
        return (route, params) if route is not None else self._other_method(methods, method, params)

    @staticmethod
    def _other_method(
        methods: dict[str, R], method: str, params: dict[str, Any]
    ) -> tuple[R, dict[str, Any]]:
        """HEAD served by GET, else 405 with ``Allow``."""
        if method == "HEAD" and "GET" in methods:
            return methods["GET"], params
        allowed = sorted({*methods, *(("HEAD",) if "GET" in methods else ())})
        raise HTTPError(
            405,
            f"method {method!r} is not allowed here",
            headers={"Allow": ", ".join(allowed)},
        )
