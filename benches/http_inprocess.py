"""In-process HTTP comparison with interleaved rounds, the numbers least hurt by a noisy machine.

    python benches/http_inprocess.py

For each endpoint every framework serves 2,000 warm-up requests, then 20,000 timed requests in
5 rounds of 4,000, the frameworks taking turns round by round; the best round is reported as
µs per request, with gati-native's ratio to Starlette and Litestar (the targets: ≤ 0.5×
Starlette on GET /hello, ≤ 0.4× Litestar on POST /users).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benches.asgi import best_of_rounds
from benches.http_apps import INPROCESS_IMPLS, NEEDS_STARTUP, build
from benches.test_http_bench import (
    CASES,
    driver,
    gati_with_backend,
    lifespan_startup,
    warm,
)

IMPLS = INPROCESS_IMPLS
ROUNDS, PER_ROUND = 5, 4000


async def main() -> None:
    apps = {}
    for impl in IMPLS:
        app = gati_with_backend(impl[5:]) if impl.startswith("gati-") else build(impl)
        if impl in NEEDS_STARTUP:
            await lifespan_startup(app)
        apps[impl] = app
    for case in CASES:
        ones = {impl: driver(app, case) for impl, app in apps.items()}
        for one in ones.values():
            warm(one, case)
        best = best_of_rounds(ones, ROUNDS, PER_ROUND)
        gati = best["gati-native"]
        print(f"\n## http in-process, interleaved: {case}")
        print(f"{'impl':12s}  {'µs/req':>7s}  gati-native / impl")
        for impl, us in sorted(best.items(), key=lambda kv: kv[1]):
            print(f"{impl:12s}  {us:7.2f}  {gati / us:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
