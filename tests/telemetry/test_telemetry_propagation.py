"""Trace context across module calls and fabric messages: a CLIENT or PRODUCER span on the
caller, a SERVER or CONSUMER span continuing it on the other side (in-process and process
modules, the memory fabric and the Redis fabric on a real redis-server)."""

from __future__ import annotations

import sys
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from gati import App, gt
from gati.fabric import Fabric, Message
from gati.fabric.redis import RedisFabric
from gati.modules import Method, ModuleManifest
from gati.telemetry import instrument
from gati.testing import AsyncTestClient
from tests.fabric.conftest import until
from tests.redis_server import RedisServer
from tests.telemetry.conftest import Sink
from tests.telemetry.traced_module import TRACED

CLOCK = ModuleManifest(
    "clock",
    methods={
        "now": Method(input=gt.object({}), output=gt.string()),
        "fail": Method(input=gt.object({}), output=gt.null()),
    },
)


class Clock:
    seen: list[Any]

    def __init__(self) -> None:
        self.seen = []

    async def now(self) -> str:
        self.seen.append(trace.get_current_span().get_span_context())
        return "12:00"

    async def fail(self) -> None:
        raise RuntimeError("stopped")


def one(spans: list[ReadableSpan], kind: SpanKind, name: str | None = None) -> ReadableSpan:
    (span,) = [s for s in spans if s.kind is kind and (name is None or s.name == name)]
    return span


def child_of(span: ReadableSpan, parent: ReadableSpan) -> bool:
    return (
        span.context.trace_id == parent.context.trace_id
        and span.parent is not None
        and span.parent.span_id == parent.context.span_id
    )


async def test_an_in_process_module_call_is_a_client_span_of_the_request(sink: Sink) -> None:
    app = App()
    clock = Clock()
    app.module(CLOCK, clock)

    @app.get("/time")
    async def time(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"now": await gctx.modules.clock.now()}

    @app.get("/broken")
    async def broken(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return await gctx.modules.clock.fail()

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/time")).json() == {"now": "12:00"}
        spans = sink.finished()
        server, call = one(spans, SpanKind.SERVER), one(spans, SpanKind.CLIENT)
        assert call.name == "clock/now" and child_of(call, server)
        assert (call.attributes or {})["rpc.service"] == "clock"
        assert clock.seen[0].span_id == call.context.span_id  # the module ran inside it
        sink.spans.clear()
        assert (await client.get("/broken")).status_code == 500
        failed = one(sink.finished(), SpanKind.CLIENT)
        assert failed.status.status_code is StatusCode.ERROR
        assert (failed.attributes or {})["error.type"] == "ModuleError"


async def test_a_process_module_continues_the_trace_in_a_server_span(sink: Sink) -> None:
    app = App()
    command = [sys.executable, "-m", "tests.telemetry.traced_module"]
    app.module(TRACED, command=command)

    @app.get("/echo")
    async def echo(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return await gctx.modules.traced.echo(value=[1, "two"])

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/echo")).json() == [1, "two"]
        call = one(sink.finished(), SpanKind.CLIENT, "traced/echo")
        remote = await app.gctx.modules.traced.spans()
    (served,) = [s for s in remote if s["name"] == "traced/echo"]
    assert served["kind"] == "SERVER" and served["remote_parent"]
    assert served["trace_id"] == f"{call.context.trace_id:032x}"
    assert served["parent_id"] == f"{call.context.span_id:016x}"
    assert child_of(call, one(sink.finished(), SpanKind.SERVER, "GET /echo"))


async def published_and_consumed(sink: Sink, fabric: Fabric | None) -> list[Message]:
    app = App() if fabric is None else App(fabric=fabric)
    got: list[Message] = []
    current: list[Any] = []

    async def consume(message: Message) -> None:
        current.append(trace.get_current_span().get_span_context())
        got.append(message)

    @app.post("/orders")
    async def order(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await gctx.publish("orders", {"n": 1})
        return {"ok": True}

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    async with AsyncTestClient(app) as client:
        await app.gctx.subscribe("orders", consume, group="billing")
        assert (await client.post("/orders")).status_code == 200
        await until(lambda: len(got) == 1 and len(sink.finished()) == 3)
    spans = sink.finished()
    server = one(spans, SpanKind.SERVER)
    producer = one(spans, SpanKind.PRODUCER, "publish orders")
    consumer = one(spans, SpanKind.CONSUMER, "process orders")
    assert child_of(producer, server) and child_of(consumer, producer)
    assert (consumer.attributes or {})["messaging.destination.name"] == "orders"
    assert current[0].span_id == consumer.context.span_id  # the handler ran inside it
    assert got[0].headers["traceparent"].split("-")[2] == f"{producer.context.span_id:016x}"
    return got


async def test_memory_fabric_messages_carry_the_trace(sink: Sink) -> None:
    await published_and_consumed(sink, None)


async def test_redis_fabric_messages_carry_the_trace(sink: Sink, redis_server: RedisServer) -> None:
    await published_and_consumed(sink, RedisFabric(redis_server.url, block_ms=20))


async def test_a_failing_consumer_is_an_error_span_per_attempt(sink: Sink) -> None:
    app = App()
    attempts: list[int] = []

    async def consume(message: Message) -> None:
        attempts.append(message.attempt)
        if message.attempt == 1:
            raise ValueError("not yet")

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    async with AsyncTestClient(app):
        await app.gctx.subscribe("jobs", consume, max_attempts=3)
        await app.gctx.publish("jobs", 1)
        await until(lambda: len(attempts) == 2 and len(sink.finished()) == 3)
    consumers = [s for s in sink.finished() if s.kind is SpanKind.CONSUMER]
    assert [s.status.status_code for s in consumers] == [StatusCode.ERROR, StatusCode.UNSET]
    producer = one(sink.finished(), SpanKind.PRODUCER)
    assert all(child_of(s, producer) for s in consumers)


def test_an_app_without_telemetry_wraps_nothing() -> None:
    app = App()
    app.module(CLOCK, Clock())
    assert app.fabric.tracer is None
    assert type(app.gctx.modules.clock.now).__name__ == "InProcessCaller"
