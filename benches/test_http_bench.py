"""HTTP benchmarks, in-process: each framework's ASGI callable driven directly.

One benchmark op is one request, served by the shared driver (benches/asgi.py): the app
coroutine is stepped inside the test's running task with a receive/send that never suspend,
so no event-loop scheduling is measured, only the framework. gati runs with its full
lifecycle (request id, lctx, one global before hook, validation). gati-native and gati-pure
are measured in the same run: each is built from a fresh import of ``gati`` with its
``GATI_BACKEND`` (``gati_with_backend``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from benches import asgi
from benches.asgi import lifespan_startup, stepper
from benches.http_apps import INPROCESS_IMPLS, NEEDS_STARTUP, USER_BODY, build

GROUP = "http: {}"
CASES = {
    "GET /hello": ("GET", "/hello", b""),
    "POST /users": ("POST", "/users", USER_BODY),
    "GET /users/{id}": ("GET", "/users/42", b""),
}
EXPECTED = {"GET /hello": 200, "POST /users": 201, "GET /users/{id}": 200}


def driver(app: Any, case: str) -> Callable[[], int]:
    """A zero-argument function that serves one request of ``case`` and returns its status."""
    return stepper(app, *CASES[case])


def warm(one: Any, case: str, n: int = 2000) -> None:
    for _ in range(n):
        assert one() == EXPECTED[case]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("impl", INPROCESS_IMPLS)
async def test_http_inprocess(benchmark: Any, impl: str, case: str) -> None:
    app = gati_with_backend(impl[5:]) if impl.startswith("gati-") else build(impl)
    if impl in NEEDS_STARTUP:
        await lifespan_startup(app)
    one = driver(app, case)
    asgi.time_requests(benchmark, one, group=GROUP.format(case), impl=impl, status=EXPECTED[case])


def gati_with_backend(name: str) -> Any:
    """The gati bench app on backend ``name`` (from a fresh import of gati)."""
    return asgi.gati_with_backend(name, lambda: build("gati"))


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
