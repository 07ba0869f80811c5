"""Telemetry's cost in instructions per request, counted by callgrind (benches/instructions.py
explains the method): the four impls of benches/test_telemetry_bench.py — gati with telemetry
off and on, Starlette bare and wrapped by ``opentelemetry-instrumentation-asgi``, both on the
same SDK setup — and the ratio of what each side's instrumentation adds (target ≤ 0.15×).

Printed too: the SDK floor, the instructions of the OTel calls any instrumentation of a
request makes at the least (one span with the same attributes started, made current and ended
through the SDK with its no-op exporter, one histogram record), measured alone and part by
part, and gati's own share beyond it (a built-in step, its two lifecycle callbacks, the rest).

    python benches/telemetry_instructions.py     # needs valgrind (make system installs it)
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benches import callgrind  # noqa: E402

N = 400
CASE = os.environ.get("GATI_TELEMETRY_CASE", "GET /hello")
IMPLS = ("gati-off", "gati-otel", "starlette", "starlette-otel-asgi", "gati-noop-step")
CALLBACKS = "gati-step-callbacks"  # a step registering two no-op callbacks, as telemetry's does
DETAILED = "gati-detailed"  # telemetry="detailed": a span and a record per hook run too
# the SDK floor, then its parts, each measured alone
PARTS = (
    "sdk floor",
    "span started and ended, no attributes",
    "span with gati's 8 attributes at creation",
    "  + the status by set_attribute",
    "made current and back (attach/detach)",
    "duration record, 3 labels",
    "duration record inside the span (exemplar)",
)
ATTRIBUTES = {
    "http.request.method": "GET",
    "url.path": "/hello",
    "url.scheme": "http",
    "gati.request_id": "0123456789abcdef",
    "http.route": "/hello",
    "gati.handler_id": "hello",
    "client.address": "127.0.0.1",
    "user_agent.original": "bench/1",
}
LABELS = {"http.request.method": "GET", "http.route": "/hello", "http.response.status_code": 200}


def sdk_parts() -> list[Callable[[], Any]]:
    """The floor (one request's minimum OTel work, made the way gati's step makes it: a SERVER
    span with gati's attributes continuing the current context, made current, given its
    status and ended, and one duration record with its labels), then each of its parts."""
    from time import time_ns

    from benches.test_telemetry_bench import providers
    from opentelemetry.context import attach, detach, get_current
    from opentelemetry.trace import SpanKind, get_tracer, set_span_in_context

    tracer_provider, meter_provider = providers()
    tracer = get_tracer("floor", tracer_provider=tracer_provider)
    duration = meter_provider.get_meter("floor").create_histogram("d", unit="s")
    kind = SpanKind.SERVER
    open_span = tracer.start_span("open")
    in_span = set_span_in_context(open_span)

    def floor() -> None:
        started = time_ns()
        parent = get_current()
        span = tracer.start_span("GET /hello", parent, kind, dict(ATTRIBUTES), start_time=started)
        token = attach(set_span_in_context(span, parent))
        span.set_attribute("http.response.status_code", 200)
        detach(token)
        ended = time_ns()
        span.end(ended)
        duration.record((ended - started) / 1e9, dict(LABELS))

    def bare() -> None:
        tracer.start_span("GET /hello", None, kind).end()

    def attributed() -> None:
        tracer.start_span("GET /hello", None, kind, ATTRIBUTES).end()

    def status() -> None:
        span = tracer.start_span("GET /hello", None, kind, ATTRIBUTES)
        span.set_attribute("http.response.status_code", 200)
        span.end()

    def current() -> None:
        parent = get_current()
        detach(attach(set_span_in_context(open_span, parent)))

    def record() -> None:
        duration.record(0.001, LABELS)

    def exemplar() -> None:
        duration.record(0.001, LABELS, in_span)

    return [floor, bare, attributed, status, current, record, exemplar]


async def _variant(impl: str) -> Callable[[], Any]:
    from benches.asgi import lifespan_startup
    from benches.test_http_bench import driver
    from benches.test_telemetry_bench import make

    if impl in ("gati-noop-step", CALLBACKS):  # what a built-in step costs, doing nothing
        from benches.http_apps import build

        from gati.lifecycle.hooks import Hook

        def nothing(*args: Any) -> None:
            return None

        async def noop(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            if impl == CALLBACKS:
                lctx.on_error(nothing)
                lctx.on_cleanup(nothing)

        app = build("gati")
        app.add_step(Hook(noop, id="noop", level="global"))
        return driver(app, CASE)
    if impl == DETAILED:
        from benches.http_apps import build
        from benches.test_telemetry_bench import providers

        from gati.telemetry import instrument

        app = build("gati")
        tracer_provider, meter_provider = providers()
        instrument(
            app, detailed=True, tracer_provider=tracer_provider, meter_provider=meter_provider
        )
        return driver(app, CASE)
    app = make(impl)
    if impl.startswith("starlette"):
        await lifespan_startup(app)
    return driver(app, CASE)


async def counted() -> None:
    """The run under callgrind: one count per impl, then per part of the SDK floor."""
    calls = [await _variant(impl) for impl in (*IMPLS, CALLBACKS, DETAILED)]
    callgrind.run_each([*calls, *sdk_parts()], N, warm=300)


def main() -> int:
    if not callgrind.available():
        return 1
    names = (*IMPLS, CALLBACKS, DETAILED, *PARTS)
    per = dict(zip(names, callgrind.counts(__file__, [], N), strict=True))
    gati = per["gati-otel"] - per["gati-off"]
    asgi = per["starlette-otel-asgi"] - per["starlette"]
    print(f"\n## telemetry, {CASE}: instructions per request (callgrind, {N} requests each)")
    for impl in IMPLS:
        print(f"{impl:22s}  {per[impl]:10.0f}")
    print(f"gati added {gati:.0f}, instrumentation-asgi added {asgi:.0f}: {gati / asgi:.3f}x")
    print(f"{DETAILED} (the app has one global hook) added {per[DETAILED] - per['gati-off']:.0f}")
    print(f"\n## the SDK floor and its parts ({CASE}), and what gati adds beyond it")
    floor = per["sdk floor"]
    for part in PARTS:
        print(f"{part:45s}  {per[part]:10.0f}  {per[part] / asgi:.3f}x of asgi's added")
    step = per["gati-noop-step"] - per["gati-off"]
    callbacks = per[CALLBACKS] - per["gati-noop-step"]
    own = gati - floor - step - callbacks
    print(f"a no-op built-in step {step:.0f}; two callbacks (on_error, on_cleanup) {callbacks:.0f}")
    print(f"the step's own code beyond the floor {own:.0f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--counted"]:
        asyncio.run(counted())
    else:
        sys.exit(main())
