"""httpx clients that talk to an ASGI app in-process, lifespan included."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

from gati.testing._httpx import httpx

__all__ = ["AsyncTestClient", "TestClient"]

BASE_URL = "http://testserver"
T = TypeVar("T")


class _Lifespan:
    """Drives an app's ASGI lifespan from inside the test's event loop."""

    def __init__(self, app: Any) -> None:
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


def _method(method: str) -> Callable[..., httpx.Response]:
    """``TestClient.get`` and its siblings: ``request`` with the method bound."""

    def send(self: TestClient, url: str, **kwargs: Any) -> httpx.Response:
        return self.request(method, url, **kwargs)

    send.__name__, send.__qualname__ = method.lower(), f"TestClient.{method.lower()}"
    return send


class TestClient:
    """The synchronous twin of ``AsyncTestClient``: the app runs on an event loop in a
    private thread, so it works from plain tests and from inside a running loop alike.
    Responses are ``httpx.Response``; ``with TestClient(app):`` runs the lifespan.
    """

    __test__ = False

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._client = self._run(self._make(app, base_url, kwargs))
        self._entered = False

    @staticmethod
    async def _make(app: Any, base_url: str, kwargs: dict[str, Any]) -> AsyncTestClient:
        return AsyncTestClient(app, base_url, **kwargs)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request (``httpx.AsyncClient.request`` arguments)."""
        return self._run(self._client.request(method, url, **kwargs))

    get = _method("GET")
    head = _method("HEAD")
    options = _method("OPTIONS")
    post = _method("POST")
    put = _method("PUT")
    patch = _method("PATCH")
    delete = _method("DELETE")

    def __enter__(self) -> TestClient:
        self._run(self._client.__aenter__())
        self._entered = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        try:
            if self._entered:
                self._run(self._client.__aexit__(exc_type, exc, tb))
        finally:
            self.close()

    def close(self) -> None:
        """Stop the private event loop and its thread."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()
