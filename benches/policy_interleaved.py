"""Per-request policy overhead with interleaved rounds (the numbers least hurt by a busy
machine): every variant serves 2,000 warm-up requests, then 15 rounds of 1,000 taking turns;
the best round counts. Prints each variant's µs per request, its overhead over the route
without a policy, and the JWT overhead as a multiple of PyJWT's own decode.

    python benches/policy_interleaved.py
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jwt
from benches.test_policy_bench import KEY, TOKEN, build, stepper

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
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(ROUNDS):
        for name, one in runs.items():
            t = time.perf_counter()
            for _ in range(PER_ROUND):
                one()
            best[name] = min(best[name], (time.perf_counter() - t) / PER_ROUND * 1e6)
    base = best["no policy"]
    print("\n## policy overhead, in-process, interleaved")
    print(f"{'variant':20s}  {'µs/req':>7s}  {'overhead µs':>11s}")
    for name, us in best.items():
        extra = "" if name == "PyJWT decode alone" else f"{us - base:11.2f}"
        print(f"{name:20s}  {us:7.2f}  {extra}")
    for kind in ("JWT HS256", "JWT HS256, no token cache"):
        ratio = (best[kind] - base) / best["PyJWT decode alone"]
        print(f"{kind} overhead / PyJWT decode: {ratio:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    asyncio.run(main())
