"""The event loop under hostile bodies: /healthz latency while the worst bodies are validated.

    python benches/hostile_loop.py [--rounds 2] [--backends native,pure]

Per backend, one uvicorn worker serves ``tests/gtype/hostile_app.py``; one connection posts
each worst body within the default 1 MiB limit (unique_items, huge integers, patterns, deep
JSON, recursive unions) ``--rounds`` times while a second connection asks for /healthz every
10 ms. Printed: /healthz's max and p99 latency while the bodies were in flight (and with none
in flight, for comparison: the machine's own noise), and each body's status and time. The
target is /healthz within 100 ms throughout. The end-to-end test
(tests/gtype/test_hostile_e2e.py) checks the answers; this measures them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.gtype.hostile_app import bodies, serve


def probe(url: str, stop: threading.Event, latencies: list[float], count: int = 0) -> None:
    """/healthz on its own connection every 10 ms until ``stop`` (or ``count`` answers)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set() and not (count and len(latencies) >= count):
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            latencies.append(time.perf_counter() - started)
            stop.wait(0.01)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def run(backend: str, rounds: int) -> None:
    worst = bodies()
    timings: dict[str, list[float]] = {name: [] for name in worst}
    statuses: dict[str, set[int]] = {name: set() for name in worst}
    quiet: list[float] = []
    busy: list[float] = []
    with serve({"GATI_BACKEND": backend}) as url:
        probe(url, threading.Event(), quiet, count=50)
        stop = threading.Event()
        prober = threading.Thread(target=probe, args=(url, stop, busy))
        prober.start()
        try:
            with httpx.Client(base_url=url, timeout=600) as client:
                for _ in range(rounds):
                    for name, (body, _) in worst.items():
                        started = time.perf_counter()
                        answer = client.post(
                            f"/{name}", content=body, headers={"content-type": "application/json"}
                        )
                        timings[name].append(time.perf_counter() - started)
                        statuses[name].add(answer.status_code)
        finally:
            stop.set()
            prober.join()
    print(f"\n## hostile bodies: {backend} (load average {os.getloadavg()[0]:.1f})")
    print(f"/healthz idle:    max {ms(max(quiet))}, p99 {ms(p99(quiet))} ({len(quiet)} probes)")
    print(f"/healthz loaded:  max {ms(max(busy))}, p99 {ms(p99(busy))} ({len(busy)} probes)")
    print("body      bytes      status  min time   max time")
    for name, (body, expected) in worst.items():
        got = ",".join(map(str, sorted(statuses[name])))
        flag = "" if statuses[name] == {expected} else f"  (expected {expected})"
        print(
            f"{name:<9} {len(body):>9,}  {got:<6}  {ms(min(timings[name])):>9}  "
            f"{ms(max(timings[name])):>9}{flag}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="native,pure")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run(backend, args.rounds)


if __name__ == "__main__":
    main()
