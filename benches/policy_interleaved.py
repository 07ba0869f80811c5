"""Per-request policy overhead with interleaved rounds (the numbers least hurt by a busy
machine): every variant serves 2,000 warm-up requests, then 15 rounds of 1,000 taking turns;
the best round counts. Prints each variant's µs per request, its overhead over the route
without a policy, and the JWT overhead as a multiple of PyJWT's own decode. With
``redis-server`` installed, the same for the Redis limiter against a bare redis-py ``EVALSHA``
of its script, on one event loop (15 rounds of 200 requests).

    python benches/policy_interleaved.py
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shutil

import jwt
from benches.asgi import batcher, best_of_rounds
from benches.test_policy_bench import KEY, TOKEN, build, stepper

from gati.policy import RedisStore
from gati.policy.redis_store import GCRA_LUA

KINDS = ("no policy", "memory limiter", "API key", "JWT HS256", "JWT HS256, no token cache")
ROUNDS, PER_ROUND = 15, 1000


async def main() -> None:
    gc.disable()  # as pytest-benchmark runs with --benchmark-disable-gc
    decode = jwt.PyJWT(options={"require": ["exp"]}).decode

    def pyjwt_decode() -> None:
        decode(TOKEN, KEY, algorithms=["HS256"], leeway=0)

    runs = {kind: stepper(build(kind), kind) for kind in KINDS}
    runs["PyJWT decode alone"] = pyjwt_decode  # type: ignore[assignment]
    for one in runs.values():
        for _ in range(2000):
            one()
    best = best_of_rounds(runs, ROUNDS, PER_ROUND)
    base = best["no policy"]
    print("\n## policy overhead, in-process, interleaved")
    print(f"{'variant':20s}  {'µs/req':>7s}  {'overhead µs':>11s}")
    for name, us in best.items():
        extra = "" if name == "PyJWT decode alone" else f"{us - base:11.2f}"
        print(f"{name:20s}  {us:7.2f}  {extra}")
    for kind in ("JWT HS256", "JWT HS256, no token cache"):
        ratio = (best[kind] - base) / best["PyJWT decode alone"]
        print(f"{kind} overhead / PyJWT decode: {ratio:.2f}x (target <= 1.2x)")


async def redis_main(url: str) -> None:
    def request(app: Any) -> Callable[[], Awaitable[int]]:
        return batcher(app, 1, "GET", "/hello")

    runs = {
        "no policy": request(build("no policy")),
        "redis limiter": request(build("redis limiter", url)),
    }
    store = RedisStore(url)
    script = store.client.register_script(GCRA_LUA)

    async def evalsha() -> None:
        await script(keys=["gati:rl:bench"], args=[1, 10**9, 1])

    runs["redis-py EVALSHA alone"] = evalsha
    for one in runs.values():
        for _ in range(500):
            await one()
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for name, one in runs.items():
            t = time.perf_counter()
            for _ in range(200):
                await one()
            best[name] = min(best[name], (time.perf_counter() - t) / 200 * 1e6)
    await store.close()
    print("\n## Redis limiter, one event loop, interleaved")
    for name, us in best.items():
        print(f"{name:24s}  {us:8.2f} µs")
    ratio = (best["redis limiter"] - best["no policy"]) / best["redis-py EVALSHA alone"]
    print(f"Redis limiter overhead / bare EVALSHA: {ratio:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    asyncio.run(main())
    if shutil.which("redis-server"):
        from tests.redis_server import RedisServer

        server = RedisServer()
        server.start()
        try:
            asyncio.run(redis_main(server.url))
        finally:
            server.close()
