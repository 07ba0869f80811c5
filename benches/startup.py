"""Start-up: ``python -c "import gati"`` against the peers' imports, whole process.

    python benches/startup.py [--runs 7]

Each import runs in a fresh interpreter, once to warm the bytecode cache and then ``--runs``
times; the median wall time and CPU time (user + system, the less noisy of the two on a busy
machine) are reported, with each one's ratio to gati. The target: ``import gati`` <= 120 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

IMPORTS = {
    "python alone": "pass",
    "gati": "import gati",
    "starlette": "import starlette.applications, starlette.routing, starlette.responses",
    "falcon": "import falcon.asgi",
    "blacksheep": "import blacksheep",
    "litestar": "import litestar",
    "fastapi": "import fastapi",
}


def run_once(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    results = {}
    for name, code in IMPORTS.items():
        run_once(code, env)  # writes the bytecode cache
        runs = [run_once(code, env) for _ in range(args.runs)]
        results[name] = tuple(statistics.median(r[i] for r in runs) * 1e3 for i in (0, 1))
    gati_wall, gati_cpu = results["gati"]
    print(f"\n## start-up: import in a fresh interpreter (median of {args.runs})")
    print(f"{'import':14s}  {'wall ms':>8s}  {'CPU ms':>7s}  {'gati / it (CPU)':>15s}")
    for name, (wall, cpu) in sorted(results.items(), key=lambda kv: kv[1][1]):
        print(f"{name:14s}  {wall:8.0f}  {cpu:7.0f}  {gati_cpu / cpu:15.2f}")
    print(f"gati: {gati_wall:.0f} ms wall (target <= 120 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
