"""Telemetry's cost in instructions per request, counted by callgrind (benches/instructions.py
explains the method): the four impls of benches/test_telemetry_bench.py — gati with telemetry
off and on, Starlette bare and wrapped by ``opentelemetry-instrumentation-asgi``, both on the
same SDK setup — and the ratio of what each side's instrumentation adds (target ≤ 0.15×).

Printed too: the SDK floor, the instructions of the OTel calls any instrumentation of a
request makes at the least (one span with the same attributes started and ended through the
SDK with its no-op exporter, one histogram record), measured alone.

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
IMPLS = ("gati-off", "gati-otel", "starlette", "starlette-otel-asgi", "sdk floor", "gati-noop-step")


def sdk_floor() -> Callable[[], Any]:
    """One request's minimum OTel work: a SERVER span with gati's attributes for the request,
    made current and ended, and one duration record with its labels."""
    import time

    from benches.test_telemetry_bench import providers
    from opentelemetry import context, trace

    tracer_provider, meter_provider = providers()
    tracer = trace.get_tracer("floor", tracer_provider=tracer_provider)
    duration = meter_provider.get_meter("floor").create_histogram("d", unit="s")
    labels = {
        "http.request.method": "GET",
        "http.route": "/hello",
        "http.response.status_code": 200,
    }
    kind = trace.SpanKind.SERVER

    def one() -> None:
        started = time.time()
        attributes = {
            "http.request.method": "GET",
            "url.path": "/hello",
            "url.scheme": "http",
            "gati.request_id": "0123456789abcdef",
            "http.route": "/hello",
            "gati.handler_id": "hello",
            "client.address": "127.0.0.1",
            "user_agent.original": "bench/1",
        }
        span = tracer.start_span("GET /hello", None, kind, attributes)
        token = context.attach(trace.set_span_in_context(span))
        span.set_attribute("http.response.status_code", 200)
        context.detach(token)
        span.end()
        duration.record(time.time() - started, labels)

    return one


async def _variant(impl: str) -> Callable[[], Any]:
    from benches.asgi import lifespan_startup
    from benches.test_http_bench import driver
    from benches.test_telemetry_bench import make

    if impl == "sdk floor":
        return sdk_floor()
    if impl == "gati-noop-step":  # what any built-in step costs, doing nothing
        from benches.http_apps import build

        from gati.lifecycle.hooks import Hook

        async def noop(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            return None

        app = build("gati")
        app.add_step(Hook(noop, id="noop", level="global"))
        return driver(app, CASE)
    app = make(impl)
    if impl.startswith("starlette"):
        await lifespan_startup(app)
    return driver(app, CASE)


async def counted() -> None:
    """The run under callgrind: one count per impl."""
    callgrind.run_each([await _variant(impl) for impl in IMPLS], N, warm=300)


def main() -> int:
    if not callgrind.available():
        return 1
    per = dict(zip(IMPLS, callgrind.counts(__file__, [], N), strict=True))
    gati = per["gati-otel"] - per["gati-off"]
    asgi = per["starlette-otel-asgi"] - per["starlette"]
    print(f"\n## telemetry, {CASE}: instructions per request (callgrind, {N} requests each)")
    for impl, count in per.items():
        print(f"{impl:22s}  {count:10.0f}")
    print(f"gati added {gati:.0f}, instrumentation-asgi added {asgi:.0f}: {gati / asgi:.3f}x")
    floor, step = per["sdk floor"], per["gati-noop-step"] - per["gati-off"]
    print(f"SDK floor {floor:.0f}: {floor / asgi:.3f}x of asgi's added")
    own = gati - floor - step
    print(f"a no-op built-in step {step:.0f}; gati's own work beyond both {own:.0f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--counted"]:
        asyncio.run(counted())
    else:
        sys.exit(main())
