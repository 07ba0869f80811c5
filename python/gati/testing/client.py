"""httpx clients that talk to an ASGI app in-process, lifespan included."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
from starlette.testclient import TestClient as _StarletteTestClient

__all__ = ["AsyncTestClient", "TestClient"]

BASE_URL = "http://testserver"


class TestClient(_StarletteTestClient):
    """A synchronous ``httpx.Client`` for an ASGI app (Starlette's, which gati builds on).

    Use it as a context manager to run the app's lifespan (start-up and shutdown hooks).
    Server errors become 500 responses, as a real server would send, rather than raising.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        kwargs.setdefault("raise_server_exceptions", False)
        super().__init__(app, base_url=base_url, **kwargs)


class _Lifespan:
    """Drives an app's ASGI lifespan from inside the test's event loop."""

    def __init__(self, app: Any) -> None:
        import asyncio

        self._app = app
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        try:
            await self._app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                self._to_app.get,
                self._from_app.put,
            )
        except Exception as exc:  # an app without lifespan support
            await self._from_app.put({"type": "lifespan.unsupported", "message": str(exc)})

    async def _exchange(self, message: str) -> None:
        await self._to_app.put({"type": f"lifespan.{message}"})
        reply = await self._from_app.get()
        if reply["type"].endswith(".failed"):
            raise RuntimeError(f"lifespan {message} failed: {reply.get('message', '')}")

    async def start(self) -> None:
        import asyncio

        self._task = asyncio.create_task(self._run())
        await self._exchange("startup")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            await self._exchange("shutdown")
            await self._task


class AsyncTestClient(httpx.AsyncClient):
    """An async ``httpx.AsyncClient`` for an ASGI app; ``async with`` runs its lifespan."""

    __test__ = False

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        super().__init__(transport=transport, base_url=base_url, **kwargs)
        self._lifespan = _Lifespan(app)

    async def __aenter__(self) -> AsyncTestClient:
        await super().__aenter__()
        await self._lifespan.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        try:
            await self._lifespan.stop()
        finally:
            await super().__aexit__(exc_type, exc, tb)
