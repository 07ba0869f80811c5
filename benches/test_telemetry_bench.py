"""Telemetry cost, in-process: what OTel spans + metrics add per request to gati and to
Starlette wrapped by ``opentelemetry-instrumentation-asgi``, both on one SDK setup (a span
processor exporting to nowhere, metrics kept by an in-memory reader).

Four impls per case: ``gati-off``, ``gati-otel``, ``starlette``, ``starlette-otel-asgi``;
``benches/run.py`` prints each side's added cost and their ratio (target ≤ 0.15×).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from benches.asgi import lifespan_startup
from benches.http_apps import build
from benches.test_http_bench import driver, warm
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

GROUP = "telemetry: {}"
CASES = ("GET /hello", "GET /users/{id}")
IMPLS = ("gati-off", "gati-otel", "starlette", "starlette-otel-asgi")


class Discard(SpanExporter):
    """Exports to nowhere: the SDK's own work is measured, not an exporter's."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def providers() -> tuple[TracerProvider, MeterProvider]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(Discard()))
    return tracer_provider, MeterProvider(metric_readers=[InMemoryMetricReader()])


def make(impl: str) -> Any:
    """The app for ``impl``, instrumented with fresh SDK providers where asked."""
    if impl.startswith("gati"):
        app = build("gati")
        if impl == "gati-otel":
            from gati.telemetry import instrument

            tracer_provider, meter_provider = providers()
            instrument(app, tracer_provider=tracer_provider, meter_provider=meter_provider)
        return app
    app = build("starlette")
    if impl == "starlette-otel-asgi":
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        tracer_provider, meter_provider = providers()
        app = OpenTelemetryMiddleware(
            app, tracer_provider=tracer_provider, meter_provider=meter_provider
        )
    return app


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("impl", IMPLS)
async def test_telemetry_inprocess(benchmark: Any, impl: str, case: str) -> None:
    app = make(impl)
    if impl.startswith("starlette"):
        await lifespan_startup(app)
    one = driver(app, case)
    warm(one, case)
    benchmark.group = GROUP.format(case)
    benchmark.extra_info["impl"] = impl
    benchmark.pedantic(one, rounds=20, iterations=500, warmup_rounds=1)


async def interleaved(rounds: int = 7, per_round: int = 1000) -> None:
    """``python benches/test_telemetry_bench.py``: the four impls in interleaved rounds (the
    numbers least hurt by a busy machine), best round each, with the added-cost ratio."""
    import time

    for case in CASES:
        steps = {}
        for impl in IMPLS:
            app = make(impl)
            if impl.startswith("starlette"):
                await lifespan_startup(app)
            steps[impl] = one = driver(app, case)
            warm(one, case)
        best = dict.fromkeys(IMPLS, float("inf"))
        for _ in range(rounds):
            for impl, one in steps.items():
                t = time.process_time()
                for _ in range(per_round):
                    one()
                best[impl] = min(best[impl], (time.process_time() - t) / per_round * 1e6)
        gati = best["gati-otel"] - best["gati-off"]
        asgi = best["starlette-otel-asgi"] - best["starlette"]
        print(f"\n## telemetry: {case} (interleaved, best of {rounds} rounds of {per_round})")
        for impl, us in best.items():
            print(f"{impl:20s}  {us:8.2f} µs")
        print(f"gati added {gati:.2f} µs, instrumentation-asgi added {asgi:.2f} µs: "
              f"{gati / asgi:.2f}x (target ≤ 0.15x)")  # fmt: skip


if __name__ == "__main__":
    import asyncio

    asyncio.run(interleaved())
