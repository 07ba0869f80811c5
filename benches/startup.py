"""Start-up: ``python -c "import gati"`` against the peers' imports, whole process.

    python benches/startup.py [--runs 7]

Each import runs in a fresh interpreter, once to warm the bytecode cache and then ``--runs``
times; the median wall time, CPU time (user + system, the less noisy of the two on a busy
machine) and peak memory (RSS) are reported, with the CPU time's ratio to gati's. The target:
``import gati`` <= 120 ms. ``import gati`` loads only the package's public face (each name is
imported on first use), so an app's own start-up is shown too: ``from gati import App, gt``
and one ``App()``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

IMPORTS = {
    "python alone": "pass",
    "gati": "import gati",
    "gati, an app": "from gati import App, gt; App()",
    "starlette": "import starlette.applications, starlette.routing, starlette.responses",
    "falcon": "import falcon.asgi",
    "blacksheep": "import blacksheep",
    "litestar": "import litestar",
    "fastapi": "import fastapi",
}


def run_once(code: str, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one interpreter running ``code``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must know
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, code)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    results = {}
    for name, code in IMPORTS.items():
        run_once(code, env)  # writes the bytecode cache
        runs = [run_once(code, env) for _ in range(args.runs)]
        wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
        results[name] = (wall * 1e3, cpu * 1e3, rss)
    gati_wall, gati_cpu, gati_rss = results["gati"]
    print(f"\n## start-up: import in a fresh interpreter (median of {args.runs})")
    head = ("import", "wall ms", "CPU ms", "RSS MiB", "gati / it (CPU)")
    print(f"{head[0]:14s}  {head[1]:>8s}  {head[2]:>7s}  {head[3]:>7s}  {head[4]:>15s}")
    for name, (wall, cpu, rss) in sorted(results.items(), key=lambda kv: kv[1][1]):
        print(f"{name:14s}  {wall:8.0f}  {cpu:7.0f}  {rss:7.1f}  {gati_cpu / cpu:15.2f}")
    print(f"gati: {gati_wall:.0f} ms wall, {gati_rss:.1f} MiB (target <= 120 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
