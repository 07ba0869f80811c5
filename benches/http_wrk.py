"""HTTP benchmark over loopback: each framework under uvicorn (one worker), driven by ``wrk``.

    python benches/http_wrk.py [--duration 5] [--connections 32]

Prints requests/s per framework and endpoint, and each one's ratio to Starlette. Servers are
subprocesses on 127.0.0.1 with a free port, always terminated; every wrk run is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benches.http_apps import USER_BODY  # noqa: E402

from gati.testing import LiveServer, live_server  # noqa: E402

IMPLS = {
    "raw-asgi": {"GATI_BENCH_IMPL": "raw-asgi"},
    "starlette": {"GATI_BENCH_IMPL": "starlette"},
    "fastapi": {"GATI_BENCH_IMPL": "fastapi"},
    "litestar": {"GATI_BENCH_IMPL": "litestar"},
    "gati-native": {"GATI_BENCH_IMPL": "gati", "GATI_BACKEND": "native"},
    "gati-pure": {"GATI_BENCH_IMPL": "gati", "GATI_BACKEND": "pure"},
}
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


def wrk(url: str, script: str | None, duration: int, connections: int) -> float:
    """Requests/s, or NaN when any response was not 2xx."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    if "Non-2xx" in out:
        return float("nan")
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    return float(match[1]) if match else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it)", file=sys.stderr)
        return 1
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(POST_SCRIPT)
        for impl, env in IMPLS.items():
            with serve(env) as server:
                results[impl] = {
                    case: wrk(
                        server.url + path,
                        str(script) if case.startswith("POST") else None,
                        args.duration,
                        args.connections,
                    )
                    for case, path in CASES.items()
                }
    for case in CASES:
        base = results["starlette"][case]
        print(f"\n## http over uvicorn: {case} (wrk, {args.connections} connections)")
        print(f"{'impl':12s}  {'req/s':>9s}  vs starlette")
        for impl, rows in sorted(results.items(), key=lambda kv: -kv[1][case]):
            print(f"{impl:12s}  {rows[case]:9.0f}  {rows[case] / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
