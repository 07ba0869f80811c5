"""HTTP benchmark over loopback: each framework under uvicorn (one worker), driven by ``wrk``.

    python benches/http_wrk.py [--duration 5] [--connections 32] [--rounds 3]
        [--impls raw-asgi,starlette,gati-native]

Prints per framework and endpoint its requests/s with the ratio to Starlette, and the server
process's CPU time per request (µs; its user + system time read from /proc before and after
each wrk run, divided by the requests wrk completed): the cost of the framework and server,
less hurt than requests/s by what else the machine runs. One run per row let noise reorder
close rows, so every server is started once and the frameworks take turns, one wrk run each,
for ``--rounds`` rounds (each server warmed for 1 s per endpoint before its first counted
run); the table shows the medians over rounds and the min-max of CPU µs/req, the noise left.
Servers are subprocesses on 127.0.0.1 with a free port, always terminated; every wrk run is
bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benches.http_apps import USER_BODY  # noqa: E402

from gati.testing import LiveServer, live_server  # noqa: E402

IMPLS = {
    "raw-asgi": {"GATI_BENCH_IMPL": "raw-asgi"},
    "starlette": {"GATI_BENCH_IMPL": "starlette"},
    "blacksheep": {"GATI_BENCH_IMPL": "blacksheep"},
    "falcon": {"GATI_BENCH_IMPL": "falcon"},
    "fastapi": {"GATI_BENCH_IMPL": "fastapi"},
    "litestar": {"GATI_BENCH_IMPL": "litestar"},
    "gati-native": {"GATI_BENCH_IMPL": "gati", "GATI_BACKEND": "native"},
    "gati-pure": {"GATI_BENCH_IMPL": "gati", "GATI_BACKEND": "pure"},
}
WARM_UP_S = 1
CASES = {"GET /hello": "/hello", "POST /users": "/users", "GET /users/{id}": "/users/42"}
POST_SCRIPT = (
    'wrk.method = "POST"\n'
    'wrk.headers["Content-Type"] = "application/json"\n'
    f"wrk.body = '{USER_BODY.decode()}'\n"
)


def serve(env_extra: dict[str, str]) -> contextlib.AbstractContextManager[LiveServer]:
    """benches.http_apps under uvicorn (one worker) with ``env_extra`` picking the framework."""
    env = {**os.environ, **env_extra, "PYTHONPATH": str(ROOT)}
    command = [
        *(sys.executable, "-m", "uvicorn", "benches.http_apps:app", "--host", "127.0.0.1"),
        *("--port", "{port}", "--workers", "1", "--log-level", "warning", "--no-access-log"),
    ]
    return live_server(command, cwd=ROOT, env=env, probe="/hello")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its waited-for children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: str | None, duration: int, connections: int) -> tuple[float, int]:
    """Requests/s and requests completed, or NaN and 0 when any response was not 2xx."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    done = re.search(r"([0-9]+) requests in", out)
    if "Non-2xx" in out or not rate or not done:
        return float("nan"), 0
    return float(rate[1]), int(done[1])


def measure(server: LiveServer, path: str, script: str | None, args: Any) -> tuple[float, float]:
    """Requests/s and server CPU µs per request for one endpoint."""
    before = cpu_seconds(server.proc.pid)
    rate, done = wrk(server.url + path, script, args.duration, args.connections)
    cpu = cpu_seconds(server.proc.pid) - before
    return rate, (cpu / done * 1e6 if done else float("nan"))


def summary(runs: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Median requests/s, median CPU µs/req and its min and max; all NaN if any run failed."""
    if any(math.isnan(rate) or math.isnan(cpu) for rate, cpu in runs):
        return (float("nan"),) * 4
    cpus = [cpu for _, cpu in runs]
    return statistics.median(r for r, _ in runs), statistics.median(cpus), min(cpus), max(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--impls", default=",".join(IMPLS), help="comma-separated subset")
    args = parser.parse_args()
    impls = args.impls.split(",")
    if "starlette" not in impls or not set(impls) <= IMPLS.keys():
        parser.error(f"--impls: a subset of {','.join(IMPLS)} that includes starlette")
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it)", file=sys.stderr)
        return 1
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {
        impl: {case: [] for case in CASES} for impl in impls
    }
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers_alive:
        post = Path(tmp) / "post.lua"
        post.write_text(POST_SCRIPT)
        scripts = {case: str(post) if case.startswith("POST") else None for case in CASES}
        servers = {impl: servers_alive.enter_context(serve(IMPLS[impl])) for impl in impls}
        for round_ in range(args.rounds):
            for case, path in CASES.items():
                for impl, server in servers.items():
                    if round_ == 0:
                        wrk(server.url + path, scripts[case], WARM_UP_S, args.connections)
                    runs[impl][case].append(measure(server, path, scripts[case], args))
    setup = f"wrk, {args.connections} connections, median of {args.rounds} rounds"
    for case in CASES:
        rows = {impl: summary(runs[impl][case]) for impl in impls}
        base = rows["starlette"][0]
        print(f"\n## http over uvicorn: {case} ({setup})")
        print(f"{'impl':12s}  {'req/s':>9s}  vs starlette  {'server CPU µs/req':>17s}  min-max")
        for impl, (rate, cpu, low, high) in sorted(rows.items(), key=lambda kv: kv[1][1]):
            spread = f"{low:.1f}-{high:.1f}"
            print(f"{impl:12s}  {rate:9.0f}  {rate / base:10.2f}x  {cpu:17.1f}  {spread}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
