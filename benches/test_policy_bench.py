"""Policy benchmarks: the per-request cost of each policy against the same route without one.

In-process (the coroutine stepped without an event loop, as in test_http_bench): a route with
no policy, with the memory rate limiter, with JWT HS256 auth (a repeated token is found in the
verified-token cache; "no token cache" verifies every time), with an API key; next to them
PyJWT's own ``decode`` of the same token (the JWT target: overhead ≤ 1.2× that decode).
Over a real ``redis-server`` (an event loop, ``BATCH`` sequential requests per op): a route
with no policy, with the Redis limiter, and a bare redis-py ``EVALSHA`` of the same script
(the target: one round trip, overhead ≤ 1.3× the bare call).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from benches import asgi

from gati import APIKeyAuth, App, JWTAuth, Principal
from gati.policy import RedisStore
from gati.policy.redis_store import GCRA_LUA

KEY = "bench-hmac-key-" + "0123456789abcdef" * 4
TOKEN = jwt.encode({"sub": "alice", "roles": ["admin"], "exp": 2**40}, KEY, algorithm="HS256")
GROUP = "policy: GET /hello with one policy (in-process)"
API_KEY = "bench-api-key-0123456789"
UNLIMITED = "1000000000/second"
BATCH = 100


def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"hello": "world"}


async def ahello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"hello": "world"}


def build(kind: str, store: Any = None) -> App:
    if kind == "JWT HS256":
        app = App(auth=JWTAuth(KEY, algorithms=["HS256"]))
    elif kind == "JWT HS256, no token cache":
        app = App(auth=JWTAuth(KEY, algorithms=["HS256"], cache_size=0))
    elif kind == "API key":
        app = App(auth=APIKeyAuth({API_KEY: Principal("bench")}))
    elif kind == "memory limiter":
        app = App(rate_limit=UNLIMITED)
    elif kind == "redis limiter":
        app = App(rate_limit=UNLIMITED, redis_url=store)
    else:
        app = App()
    app.get("/hello")(ahello)
    return app


HEADERS = {
    "JWT HS256": [(b"authorization", b"Bearer " + TOKEN.encode())],
    "JWT HS256, no token cache": [(b"authorization", b"Bearer " + TOKEN.encode())],
    "API key": [(b"x-api-key", API_KEY.encode())],
}


def stepper(app: Any, kind: str) -> Any:
    """One GET /hello with ``kind``'s credentials, stepped by the shared driver."""
    return asgi.stepper(app, "GET", "/hello", b"", HEADERS.get(kind, []))


@pytest.mark.parametrize(
    "kind", ["no policy", "memory limiter", "JWT HS256", "JWT HS256, no token cache", "API key"]
)
async def test_policy_overhead(benchmark: Any, kind: str) -> None:
    one = stepper(build(kind), kind)
    asgi.time_requests(benchmark, one, group=GROUP, impl=kind)


def test_pyjwt_decode_alone(benchmark: Any) -> None:
    decode = jwt.PyJWT(options={"require": ["exp"]}).decode
    benchmark.group = GROUP
    benchmark.extra_info["impl"] = "PyJWT decode alone"
    benchmark.pedantic(
        decode, args=(TOKEN, KEY), kwargs={"algorithms": ["HS256"], "leeway": 0}, rounds=20,
        iterations=1000, warmup_rounds=1,
    )  # fmt: skip


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    from tests.redis_server import RedisServer

    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.close()


@pytest.mark.parametrize("kind", ["no policy", "redis limiter", "redis-py EVALSHA alone"])
def test_redis_limiter_overhead(
    benchmark: Any, kind: str, redis_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    benchmark.group = f"policy: Redis limiter, {BATCH} sequential requests"
    benchmark.extra_info["impl"] = kind
    if kind == "redis-py EVALSHA alone":
        store = RedisStore(redis_url)
        script = store.client.register_script(GCRA_LUA)

        async def batch() -> None:
            for _ in range(BATCH):
                await script(keys=["gati:rl:bench"], args=[1, 10**9, 1])

        run = batch
    else:
        run = asgi.batcher(build(kind, redis_url), BATCH, "GET", "/hello")
    assert loop.run_until_complete(run()) in (None, 200)
    benchmark.pedantic(lambda: loop.run_until_complete(run()), rounds=15, warmup_rounds=1)
    if kind == "redis-py EVALSHA alone":
        loop.run_until_complete(store.close())
