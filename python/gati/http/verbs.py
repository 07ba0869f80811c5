"""``Verbs``: ``get``/``post``/``put``/``patch``/``delete`` over ``route``, written once for
``App`` and ``Router`` (each supplies ``route``), with the typed ``RouteOptions`` keywords so
mypy checks the options of every decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

from gati.http.options import RouteOptions

__all__ = ["Verbs"]

F = TypeVar("F", bound=Callable[..., Any])


class Verbs:
    """The verb decorators; a subclass defines ``route(method, path, **options)``."""

    __slots__ = ()

    if TYPE_CHECKING:  # what a subclass provides

        def route(
            self, method: str, path: str, **options: Unpack[RouteOptions]
        ) -> Callable[[F], F]: ...

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a GET handler (HEAD is answered by it too)."""
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a POST handler."""
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PUT handler."""
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PATCH handler."""
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a DELETE handler."""
        return self.route("DELETE", path, **options)
