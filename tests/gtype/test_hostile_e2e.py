"""Nothing a client sends within the default limits holds the event loop long: the worst
bodies of the hostile-input rules (docs/gtype.md §5) go to one live uvicorn server while a
second connection times ``/healthz``, which answers within 100 ms throughout.

This is the one timed assertion of the suite, demanded as such by the hardening work. The target
is 100 ms; the assertion is generous (1 s on top of what ``/healthz`` takes on the same machine
with no hostile body in flight, measured first) so that a shared, busy machine does not fail it
while a quadratic or backtracking path, which takes seconds to minutes, still does. The loop is
bounded (two rounds of six bodies). The integer bodies are the hardening reports' own: a field
of 1,040,000 nines and a 600,000-digit number in a free-form record.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from gati.testing import live_server

HERE = Path(__file__).parent
LIMIT = 1024 * 1024  # the default body limit
HEALTHZ_BOUND = 1.0  # generous for shared CI machines; the target on an idle one is 0.1 s


def _distinct_ints() -> bytes:
    parts, size, i = [], 2, 0
    while size + len(str(i)) + 1 < LIMIT:
        parts.append(str(i))
        size += len(parts[-1]) + 1
        i += 1
    return ("[" + ",".join(parts) + "]").encode()


BODIES = {
    "unique": (_distinct_ints(), 200),
    "quantity": (b'{"qty": ' + b"9" * (LIMIT - 20) + b"}", 400),
    "numbers": (b'{"n": ' + b"9" * 600_000 + b"}", 400),
    "slug": (b'{"s": "' + b"a" * (LIMIT - 20) + b'!"}', 400),
    "word": (b'{"s": "' + b"a" * (LIMIT - 20) + b'!"}', 400),
    "deep": (b"[" * (LIMIT // 2) + b"]" * (LIMIT // 2), 400),
}


@pytest.mark.e2e
def test_healthz_answers_within_100ms_while_hostile_bodies_are_validated() -> None:
    for body, _ in BODIES.values():
        assert len(body) <= LIMIT
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "uvicorn", "hostile_app:app", "--host", "127.0.0.1",
               "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    with live_server(command, cwd=HERE, env=env, probe="/healthz") as live:
        stop = threading.Event()

        def time_healthz(into: list[float], rounds: int | None = None) -> None:
            with httpx.Client(base_url=live.url, timeout=10) as client:
                while not stop.is_set() and (rounds is None or len(into) < rounds):
                    started = time.perf_counter()
                    assert client.get("/healthz").status_code == 200
                    into.append(time.perf_counter() - started)
                    time.sleep(0.01)

        quiet: list[float] = []
        time_healthz(quiet, rounds=30)
        timer = threading.Thread(target=time_healthz, args=(latencies,))
        timer.start()
        try:
            with httpx.Client(base_url=live.url, timeout=120) as client:
                for _ in range(2):
                    for name, (body, _) in BODIES.items():
                        headers = {"content-type": "application/json"}
                        statuses[name] = client.post(
                            f"/{name}", content=body, headers=headers
                        ).status_code
        finally:
            stop.set()
            timer.join()
    assert statuses == {name: status for name, (_, status) in BODIES.items()}
    assert latencies  # /healthz was asked while the bodies were in flight
    assert max(latencies) < max(quiet) + HEALTHZ_BOUND, (sorted(latencies)[-5:], max(quiet))
