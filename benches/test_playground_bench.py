"""Playground recording cost, in-process: the same gati app with the Playground off and on
(every request recorded into the ring buffer, its timeline and state snapshots kept), on
both backends. ``benches/run.py`` prints each group; the target is ≤ 2 µs added per request.
"""

from __future__ import annotations

from typing import Any

import pytest
from benches.asgi import gati_with_backend
from benches.http_apps import build
from benches.test_http_bench import driver, warm

GROUP = "playground: {}"
CASES = ("GET /hello", "GET /users/{id}", "POST /users")
IMPLS = ("gati-native-off", "gati-native-recording", "gati-pure-off", "gati-pure-recording")


def recording_app() -> Any:
    """The bench app with what ``App(playground=True)`` does done on it."""
    from gati.playground.core import set_up

    app = build("gati")
    app.playground = set_up(app, None)
    return app


def stepper(variant: str) -> Any:
    """One request of a ``benches/instructions.py`` variant ("playground off" or "playground
    recording", GET /hello, or POST /users with ", POST"), on the active backend. A recording
    app's buffer is filled first, so that every counted request also frees the record it
    evicts, as on a server that has run for a while."""
    app = recording_app() if "recording" in variant else build("gati")
    one = driver(app, "POST /users" if variant.endswith("POST") else "GET /hello")
    if "recording" in variant:
        for _ in range(app.playground.buffer.max_records):
            one()
    return one


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("impl", IMPLS)
async def test_playground_inprocess(benchmark: Any, impl: str, case: str) -> None:
    backend = impl.split("-")[1]
    made = recording_app if impl.endswith("recording") else lambda: build("gati")
    app = gati_with_backend(backend, made)
    one = driver(app, case)
    warm(one, case)
    benchmark.group = GROUP.format(case)
    benchmark.extra_info["impl"] = impl
    benchmark.pedantic(one, rounds=20, iterations=500, warmup_rounds=1)
