"""ASGI middleware around the whole app (Starlette's classes or any ASGI middleware): CORS,
GZip, TrustedHost, HTTPSRedirect, Sessions…

Middleware wraps the app from the outside, as in Starlette: it sees every request (routes,
404/405, mounted apps, health routes) before gati's lifecycle starts and every response after
it ends. The first middleware listed is the outermost. The served object stays the ``App``:
its ``__call__`` goes through the stack, which calls the app back for the inner part.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.middleware import Middleware

__all__ = ["Middleware", "MiddlewareStack"]

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class MiddlewareStack:
    """The app's middleware list; called, it runs the chain (built on the first call, when
    no more middleware may be added)."""

    __slots__ = ("_built", "_inner", "entries")

    def __init__(self, entries: Iterable[Middleware], inner: ASGIApp) -> None:
        self.entries: list[Middleware] = []
        self._inner = inner
        self._built: ASGIApp | None = None
        for entry in entries:
            self.add(entry)

    def add(self, entry: Middleware) -> None:
        """Add the next inner middleware; refused once the app has served (as Starlette)."""
        if self._built is not None:
            raise RuntimeError("cannot add middleware after the app has started serving")
        if not isinstance(entry, Middleware):
            raise TypeError(
                "middleware entries are starlette.middleware.Middleware(cls, **options), "
                f"not {type(entry).__name__}"
            )
        self.entries.append(entry)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        app = self._built
        if app is None:
            app = self._inner
            for cls, args, kwargs in reversed(self.entries):
                app = cls(app, *args, **kwargs)
            self._built = app
        await app(scope, receive, send)
