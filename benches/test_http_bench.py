"""HTTP benchmarks, in-process: each framework's ASGI callable driven directly.

One benchmark op is one request: the app coroutine is stepped inside the test's running
task with a receive/send that never suspend, so no event-loop scheduling is measured, only
the framework. gati runs with its full lifecycle (request id, lctx, one global before hook,
validation). gati-native and gati-pure are measured in the same run: each is built from a
fresh import of ``gati`` with its ``GATI_BACKEND`` (``gati_with_backend``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import pytest
from benches.http_apps import USER_BODY, build

GROUP = "http: {}"
CASES = {
    "GET /hello": ("GET", "/hello", b""),
    "POST /users": ("POST", "/users", USER_BODY),
    "GET /users/{id}": ("GET", "/users/42", b""),
}
EXPECTED = {"GET /hello": 200, "POST /users": 201, "GET /users/{id}": 200}


def scope_for(method: str, path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench/1")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
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
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
        "state": {},
    }


def driver(app: Any, case: str) -> Any:
    """A zero-argument function that serves one request and returns its status."""
    method, path, body = CASES[case]
    template = scope_for(method, path, body)
    message = {"type": "http.request", "body": body, "more_body": False}
    status = [0]

    async def receive() -> dict[str, Any]:
        return message

    async def send(msg: dict[str, Any]) -> None:
        if msg["type"] == "http.response.start":
            status[0] = msg["status"]

    def one() -> int:
        coro = app(dict(template), receive, send)
        try:
            coro.send(None)
        except StopIteration:
            return status[0]
        coro.close()
        raise RuntimeError("the app suspended; it cannot be stepped synchronously")

    return one


def warm(one: Any, case: str, n: int = 2000) -> None:
    for _ in range(n):
        assert one() == EXPECTED[case]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(
    "impl", ["raw-asgi", "starlette", "fastapi", "litestar", "gati-native", "gati-pure"]
)
async def test_http_inprocess(benchmark: Any, impl: str, case: str) -> None:
    app = gati_with_backend(impl[5:]) if impl.startswith("gati-") else build(impl)
    if impl in ("litestar", "fastapi", "starlette"):
        await lifespan_startup(app)
    one = driver(app, case)
    warm(one, case)
    benchmark.group = GROUP.format(case)
    benchmark.extra_info["impl"] = impl
    benchmark.pedantic(one, rounds=20, iterations=1000, warmup_rounds=1)


async def lifespan_startup(app: Any) -> None:
    """Run an app's start-up so that frameworks that build state there are ready."""
    sent: list[dict[str, Any]] = []
    messages = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        import asyncio

        await asyncio.Event().wait()  # never: the lifespan task is abandoned afterwards
        return {}

    async def send(msg: dict[str, Any]) -> None:
        sent.append(msg)

    import asyncio

    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    )
    while not sent:
        await asyncio.sleep(0)
    task.cancel()


def gati_with_backend(name: str, then: Callable[[Any], Any] | None = None) -> Any:
    """Build the gati app on backend ``name`` in this process: the ``gati`` modules are
    imported afresh with ``GATI_BACKEND`` set, then the previous ones are put back. ``then``
    (given the app) runs while that backend's modules are the imported ones."""
    saved = {k: v for k, v in sys.modules.items() if k == "gati" or k.startswith("gati.")}
    keep = {"gati._native"}
    old_env = os.environ.get("GATI_BACKEND")
    for key in saved:
        if key not in keep:
            del sys.modules[key]
    os.environ["GATI_BACKEND"] = name
    try:
        app = build("gati")
        if then is not None:
            then(app)
        return app
    finally:
        for key in [k for k in sys.modules if k == "gati" or k.startswith("gati.")]:
            if key not in keep:
                del sys.modules[key]
        sys.modules.update(saved)
        if old_env is None:
            del os.environ["GATI_BACKEND"]
        else:
            os.environ["GATI_BACKEND"] = old_env


ROUTE_TABLE = [
    "/",
    "/hello",
    "/users",
    "/users/me",
    "/users/{id:int}",
    "/users/{id:int}/posts",
    "/users/{id:int}/posts/{post:int}",
    "/users/{name}/profile",
    "/items/{item:uuid}",
    "/prices/{value:float}",
    "/files/{rest:path}",
    *(f"/static{i}/{{x}}/leaf" for i in range(20)),
]
LOOKUPS = {
    "param": "/users/42/posts/7",
    "backtrack": "/users/ann/profile",
    "miss": "/nothing/here/at/all",
}


@pytest.mark.parametrize("probe", list(LOOKUPS))
@pytest.mark.parametrize("impl", ["gati-native", "gati-pure"])
def test_router_lookup(benchmark: Any, impl: str, probe: str) -> None:
    """One router lookup (index + converted params in one call), native against pure."""
    from gati._backend import native
    from gati._pure.router import Router as PureRouter
    from gati.http.routing import parse_pattern

    if impl == "gati-native" and native is None:
        pytest.skip("native extension not importable")
    router = native.Router() if impl == "gati-native" else PureRouter()
    for pattern in ROUTE_TABLE:
        router.insert(parse_pattern(pattern))
    path = LOOKUPS[probe]
    benchmark.group = f"http: router lookup ({probe})"
    benchmark.extra_info["impl"] = impl
    benchmark(router.lookup, path)
