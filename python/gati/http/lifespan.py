"""The app's lifespan: start-up and shutdown of its Global Context and of the gati apps it
mounts, driven by the server's ``lifespan`` messages or entered as ``async with
app.lifespan():`` by a parent that mounts the app (Starlette's ``Mount`` forwards no lifespan
events). The state it walks through is what ``/readyz`` reports.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from gati.http.health import LifespanState

__all__ = ["Lifespan"]

log = logging.getLogger("gati.http")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Children = Callable[[], Iterable[AbstractAsyncContextManager[Any]]]


class Lifespan:
    """One app's lifespan: ``state``, ``startup()``, ``shutdown()``, ``context()``, ``serve()``.

    ``children`` gives the lifespans of the mounted gati apps, entered after this app's
    start-up and left before its shutdown."""

    __slots__ = ("_children", "_entered", "gctx", "state")

    def __init__(self, gctx: Any, children: Children) -> None:
        self.gctx = gctx
        self._children = children
        self._entered: contextlib.AsyncExitStack | None = None
        self.state: LifespanState = "idle"

    async def startup(self) -> None:
        """Global Context start-up, then the children's; raises (state ``failed``) on failure."""
        self.state = "starting"
        try:
            await self.gctx.startup()
            entered = contextlib.AsyncExitStack()
            try:
                for child in self._children():
                    await entered.enter_async_context(child)
            except BaseException:
                await entered.aclose()
                raise
            self._entered = entered
        except BaseException:
            self.state = "failed"
            raise
        self.state = "running"

    async def shutdown(self) -> None:
        """The children stop first, then this app's shutdown callbacks."""
        self.state = "stopping"
        try:
            if self._entered is not None:
                entered, self._entered = self._entered, None
                await entered.aclose()
        finally:
            await self.gctx.shutdown()
            self.state = "stopped"

    @contextlib.asynccontextmanager
    async def context(self) -> AsyncIterator[None]:
        """Start-up on entry, shutdown on exit."""
        await self.startup()
        try:
            yield
        finally:
            await self.shutdown()

    async def serve(self, receive: Receive, send: Send) -> None:
        """Answer the server's ``lifespan.startup`` / ``lifespan.shutdown`` messages."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.error("start-up failed", exc_info=exc)
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return
