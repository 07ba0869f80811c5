"""``Router``: routes declared apart from the app (one module per resource, as FastAPI's
``APIRouter`` and Litestar's ``Router``), included with ``app.include(router)``; and
``url_path_for``, reverse routing by handler id.

A router's ``prefix`` goes before each of its paths, its ``hooks`` before each route's own
hooks, its ``tags`` before each route's tags; routers nest with ``router.include(other)``.
Registration happens at ``include``, so the app's global hooks, body limit and timeout apply
as for routes declared on the app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Unpack
from urllib.parse import quote

from gati.http.options import RouteOptions, check_names, check_options
from gati.http.routing import parse_pattern
from gati.http.verbs import Verbs
from gati.lifecycle.hooks import Hook

if TYPE_CHECKING:
    from gati.http.route import Route

__all__ = ["Router", "url_path_for"]

F = TypeVar("F", bound=Callable[..., Any])
Entry = tuple[str, str, Callable[..., Any], dict[str, Any]]


def _check_prefix(prefix: str) -> str:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(f"a router prefix starts with '/' and does not end with one: {prefix!r}")
    return prefix


class Router(Verbs):
    """A group of routes with a shared ``prefix``, ``hooks`` and ``tags``."""

    def __init__(
        self,
        prefix: str = "",
        *,
        hooks: Sequence[Hook | Callable[..., Any]] = (),
        tags: Sequence[str] = (),
    ) -> None:
        self.prefix = _check_prefix(prefix)
        check_options({"hooks": hooks})
        check_names(tags, "tags")
        self.hooks = tuple(hooks)
        self.tags = tuple(tags)
        self.entries: list[Entry] = []

    def route(self, method: str, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Declare ``method path`` (the app's route options); registered at ``include``."""
        if not isinstance(path, str):
            raise TypeError(f"@router.{method.lower()} needs a path first, not {path!r}")
        if path and not path.startswith("/"):  # else glued to the prefix: "/books" + "x"
            raise ValueError(f"a route path starts with '/' (or is '' under a prefix): {path!r}")
        check_options(options)

        def declare(fn: F) -> F:
            self.entries.append((method.upper(), path, fn, dict(options)))
            return fn

        return declare

    def websocket(
        self, path: str, *, hooks: Sequence[Hook | Callable[..., Any]] = (), id: str | None = None
    ) -> Callable[[F], F]:
        """Declare a websocket route (``app.websocket``'s options); registered at ``include``."""
        return self.route("WEBSOCKET", path, hooks=hooks, id=id)

    def include(self, other: Router) -> None:
        """Nest ``other`` here: its routes get this router's prefix, hooks and tags too."""
        if not isinstance(other, Router):
            raise TypeError(f"router.include() takes a Router, not {type(other).__name__}")
        self.entries.extend(other.resolved())

    def resolved(self) -> Iterable[Entry]:
        """Every route with this router's prefix, hooks and tags applied."""
        for method, path, fn, options in self.entries:
            merged = dict(options)
            merged["hooks"] = (*self.hooks, *options.get("hooks", ()))
            if method != "WEBSOCKET":
                merged["tags"] = (*self.tags, *options.get("tags", ()))
            full = self.prefix + path if path != "/" or not self.prefix else self.prefix
            yield method, full, fn, merged


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}")


def url_path_for(routes: Iterable[Route], handler_id: str, params: dict[str, Any]) -> str:
    """The path of the route ``handler_id`` with ``params`` filled in (percent-encoded; a
    ``path`` parameter keeps its slashes); ``LookupError`` if no route or the parameters do
    not match its pattern."""
    for route in routes:
        if route.handler_id != handler_id:
            continue
        kinds = {name: kind for kind, name in parse_pattern(route.pattern) if kind != "static"}
        if set(kinds) != set(params):
            raise LookupError(
                f"{handler_id} ({route.pattern}) takes parameters {sorted(kinds)}, "
                f"not {sorted(params)}"
            )

        def fill(match: re.Match[str], kinds: dict[str, str] = kinds) -> str:
            name = match[1]
            return quote(str(params[name]), safe="/" if kinds[name] == "path" else "")

        return _PARAM.sub(fill, route.pattern)
    raise LookupError(f"no route has the handler id {handler_id!r}")
