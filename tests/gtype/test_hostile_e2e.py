"""Nothing a client sends within the default limits holds the event loop: the worst bodies of
the hostile-input rules (docs/gtype.md §5: unique_items, huge integers, patterns, deep JSON,
recursive unions) go to one live uvicorn server while a second connection keeps asking for
``/healthz``.

No timing is asserted (speed lives in benches/: ``benches/hostile_loop.py`` prints the
/healthz latencies and each body's time): every probe must get its 200 and every hostile body
its status. A quadratic, backtracking or exponential path makes the posts run for minutes to
forever, so the test cannot pass with one.
"""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.gtype.hostile_app import LIMIT, bodies, serve


def probe_until(url: str, stop: threading.Event, statuses: list[int]) -> None:
    """Asks for /healthz on its own connection until ``stop``; records each status."""
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            statuses.append(client.get("/healthz").status_code)
            stop.wait(0.01)


@pytest.mark.e2e
def test_healthz_keeps_answering_while_hostile_bodies_are_validated() -> None:
    worst = bodies()
    assert all(len(body) <= LIMIT for body, _ in worst.values())
    answers: dict[str, int] = {}
    probes: list[int] = []
    with serve() as url:
        stop = threading.Event()
        prober = threading.Thread(target=probe_until, args=(url, stop, probes))
        prober.start()
        try:
            with httpx.Client(base_url=url, timeout=300) as client:
                for name, (body, _) in worst.items():
                    headers = {"content-type": "application/json"}
                    answers[name] = client.post(
                        f"/{name}", content=body, headers=headers
                    ).status_code
        finally:
            stop.set()
            prober.join()
    assert answers == {name: status for name, (_, status) in worst.items()}
    assert probes and set(probes) == {200}
