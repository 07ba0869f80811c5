"""The one in-process ASGI driver the benchmarks share.

A request is served by stepping the app's coroutine inside the caller, with a ``receive`` and a
``send`` that never suspend: no event-loop scheduling is measured, only the framework. Also
here: a lifespan start-up for frameworks that build state there, ``gati_with_backend``,
which builds something from a fresh import of gati on a chosen backend (native and pure are
timed in one run), ``time_requests``, the pytest-benchmark timing of a stepped request, and
``best_of_rounds``, the interleaved timing of the stand-alone scripts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Headers = Sequence[tuple[bytes, bytes]]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]


def scope_for(method: str, path: str, body: bytes, headers: Headers = ()) -> dict[str, Any]:
    """An HTTP/1.1 scope as uvicorn builds it, with ``headers`` after the usual two."""
    base = [(b"host", b"bench"), (b"user-agent", b"bench/1")]
    if body:
        base += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*base, *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
        "state": {},
    }


def exchange(
    method: str, path: str, body: bytes, headers: Headers = ()
) -> tuple[
    dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]], list[int]
]:
    """A scope template, a ``receive`` giving the whole body at once, a ``send`` keeping the
    status, and the one-item list it keeps it in."""
    scope = scope_for(method, path, body, headers)
    message = {"type": "http.request", "body": body, "more_body": False}
    status = [0]

    async def receive() -> dict[str, Any]:
        return message

    async def send(msg: dict[str, Any]) -> None:
        if msg["type"] == "http.response.start":
            status[0] = msg["status"]

    return scope, receive, send, status


def stepper(
    app: Any, method: str, path: str, body: bytes = b"", headers: Headers = ()
) -> Callable[[], int]:
    """A zero-argument function that serves one request and returns its status."""
    scope, receive, send, status = exchange(method, path, body, headers)

    def one() -> int:
        coro = app(dict(scope), receive, send)
        try:
            coro.send(None)
        except StopIteration:
            return status[0]
        coro.close()
        raise RuntimeError("the app suspended; it cannot be stepped synchronously")

    return one


def batcher(
    app: Any, count: int, method: str, path: str, body: bytes = b"", headers: Headers = ()
) -> Callable[[], Awaitable[int]]:
    """A coroutine function serving ``count`` requests in turn on the running loop (for apps
    that suspend); returns the last status."""
    scope, receive, send, status = exchange(method, path, body, headers)

    async def batch() -> int:
        for _ in range(count):
            await app(dict(scope), receive, send)
        return status[0]

    return batch


async def lifespan_startup(app: Any) -> None:
    """Run an app's start-up so that frameworks that build state there are ready."""
    sent: list[dict[str, Any]] = []
    messages = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # never: the lifespan task is abandoned afterwards
        return {}

    async def send(msg: dict[str, Any]) -> None:
        sent.append(msg)

    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    )
    while not sent:
        await asyncio.sleep(0)
    task.cancel()


def gati_with_backend(name: str, build: Callable[[], T]) -> T:
    """``build()`` on backend ``name`` in this process: the ``gati`` modules are imported
    afresh with ``GATI_BACKEND`` set, then the previous ones are put back."""
    saved = {k: v for k, v in sys.modules.items() if k == "gati" or k.startswith("gati.")}
    keep = {"gati._native"}
    old_env = os.environ.get("GATI_BACKEND")
    for key in saved:
        if key not in keep:
            del sys.modules[key]
    os.environ["GATI_BACKEND"] = name
    try:
        return build()
    finally:
        for key in [k for k in sys.modules if k == "gati" or k.startswith("gati.")]:
            if key not in keep:
                del sys.modules[key]
        sys.modules.update(saved)
        if old_env is None:
            del os.environ["GATI_BACKEND"]
        else:
            os.environ["GATI_BACKEND"] = old_env


def time_requests(
    benchmark: Any,
    one: Callable[[], int],
    *,
    group: str,
    impl: str,
    status: int = 200,
    iterations: int = 1000,
) -> None:
    """Time ``one`` (a ``stepper``) with pytest-benchmark in ``group`` as ``impl``: 2,000
    warm-up requests, each answered with ``status``, then 20 rounds of ``iterations``."""
    for _ in range(2000):
        assert one() == status
    benchmark.group = group
    benchmark.extra_info["impl"] = impl
    benchmark.pedantic(one, rounds=20, iterations=iterations, warmup_rounds=1)


def best_of_rounds(
    steps: Mapping[str, Callable[[], object]],
    rounds: int,
    per_round: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """µs per call of each step: the steps take turns within every round of ``per_round``
    calls, and each keeps its best round (the numbers least hurt by a busy machine)."""
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(rounds):
        for name, step in steps.items():
            started = clock()
            for _ in range(per_round):
                step()
            best[name] = min(best[name], (clock() - started) / per_round * 1e6)
    return best
