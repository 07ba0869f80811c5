"""Module call benchmarks: an in-process module call with validation against a direct method
call, and a process module round trip over stdio on loopback (p50/p99 in the table).

Run: ``.venv/bin/python -m pytest benches/test_modules_bench.py --benchmark-only``.
Each round makes ``BATCH`` calls inside one coroutine (divide the time by ``BATCH``).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import pytest
from tests.modules.sample import INPROCESS, USERS, Users, command

from gati import App

BATCH = 1000


@pytest.mark.parametrize(
    "impl", ["direct method call", "direct call + both validations", "gati-native module call"]
)
@pytest.mark.benchmark(group=f"modules: in-process find_user(id=7) x{BATCH}")
def test_inprocess_call(benchmark: Any, loop: asyncio.AbstractEventLoop, impl: str) -> None:
    from gati import backend

    name = impl if impl.startswith("direct") else f"gati-{backend()} module call"
    benchmark.extra_info["impl"] = name
    users = Users()
    app = App()
    app.module(INPROCESS, users)
    target = users if impl.startswith("direct") else app.gctx.modules.users
    method = INPROCESS.methods["find_user"]
    check_in, check_out = method.validate_input, method.validate_output

    async def batch() -> None:
        find = target.find_user
        if impl == "direct call + both validations":  # what validation alone costs
            for _ in range(BATCH):
                check_out(await find(**check_in({"id": 7})))
            return
        for _ in range(BATCH):
            await find(id=7)

    async def in_task() -> None:  # calls run inside a request's task in an app
        await asyncio.ensure_future(batch())

    benchmark(lambda: loop.run_until_complete(in_task()))


@pytest.mark.benchmark(group="modules: process round trip (echo, stdio, loopback)")
def test_process_round_trip(benchmark: Any, loop: asyncio.AbstractEventLoop) -> None:
    benchmark.extra_info["impl"] = "gati process module"
    app = App()
    app.module(USERS, command=command())
    loop.run_until_complete(app.gctx.startup())
    users = app.gctx.modules.users
    latencies: list[float] = []

    async def batch() -> None:
        for _ in range(200):
            t = time.perf_counter()
            await users.echo(value={"id": 7})
            latencies.append(time.perf_counter() - t)

    try:
        benchmark(lambda: loop.run_until_complete(batch()))
    finally:
        loop.run_until_complete(app.gctx.shutdown())
    latencies.sort()
    benchmark.extra_info["p50"] = statistics.median(latencies)
    benchmark.extra_info["p99"] = latencies[int(len(latencies) * 0.99)]
