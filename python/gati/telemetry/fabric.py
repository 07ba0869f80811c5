"""Fabric messages under telemetry: PRODUCER and CONSUMER spans, trace context in headers,
and each consumer group's queue depth as an observable gauge.

A publish runs in a PRODUCER span ``publish <topic>`` (messaging semantic conventions) whose
W3C ``traceparent`` is written into the message's headers, which every backend carries end to
end (the Redis fabric stores them with the entry). Each delivery to a subscriber runs in a
CONSUMER span ``process <topic>``, child of the producer's: one trace from the request that
published to the handler that consumed, across processes with the Redis fabric.

Queue depth: ``gati.fabric.queue.depth`` by topic and consumer group, for the groups of this
app's subscriptions. ``depth()`` is a backend query (a network call with Redis), so it is
refreshed by ``refresh()`` (each scrape of ``metrics_path`` calls it) and the gauge's
callback reports the values found then.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry import context, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["FabricTracing"]

_propagator = TraceContextTextMapPropagator()
_isawaitable = inspect.isawaitable


def _failed(span: Any, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_attribute("error.type", type(exc).__qualname__)
    span.set_status(Status(StatusCode.ERROR, str(exc)))


class FabricTracing:
    """Spans for one fabric's publishes and deliveries; its queue depth gauge."""

    def __init__(self, tracer: Any, meter: Any) -> None:
        self.tracer = tracer
        self._subs: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._depths: dict[tuple[str, str], int] = {}
        meter.create_observable_gauge(
            "gati.fabric.queue.depth",
            callbacks=[self._observe],
            unit="{message}",
            description="Messages of a topic a consumer group has not acknowledged yet",
        )

    def attach(self, fabric: Any) -> None:
        fabric.tracer = self

    # -- publishing ---------------------------------------------------------------------------
    def produce(self, message: Any) -> Any:
        """Start the PRODUCER span of ``message`` and write its context into the headers."""
        span = self.tracer.start_span(
            f"publish {message.topic}",
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "gati",
                "messaging.operation.type": "publish",
                "messaging.destination.name": message.topic,
            },
        )
        _propagator.inject(message.headers, trace.set_span_in_context(span))
        return span

    def failed(self, span: Any, exc: BaseException) -> None:
        """End a PRODUCER span whose publish raised."""
        _failed(span, exc)
        span.end()

    # -- consuming ----------------------------------------------------------------------------
    def consume(self, topic: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``fn`` run in a CONSUMER span per delivery, continuing the message's trace."""
        tracer = self.tracer
        name = f"process {topic}"

        async def traced(message: Any) -> Any:
            parent = _propagator.extract(message.headers)
            span = tracer.start_span(
                name,
                parent,
                SpanKind.CONSUMER,
                {
                    "messaging.system": "gati",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": topic,
                    "messaging.message.id": message.id,
                    "gati.fabric.attempt": message.attempt,
                },
            )
            token = context.attach(trace.set_span_in_context(span, parent))
            try:
                result = fn(message)
                if _isawaitable(result):
                    result = await result
                return result
            except BaseException as exc:
                _failed(span, exc)
                raise
            finally:
                context.detach(token)
                span.end()

        return traced

    # -- queue depth --------------------------------------------------------------------------
    def watch(self, fabric: Any, sub: Any) -> None:
        """Report the depth of ``sub``'s group while the subscription lives."""
        self._subs[sub] = fabric

    async def refresh(self) -> None:
        """Query the backlog of every watched group (a failing backend keeps the old value)."""
        depths: dict[tuple[str, str], int] = {}
        for sub, fabric in list(self._subs.items()):
            if sub.closed:
                continue
            key = (sub.topic, sub.group)
            try:
                depths[key] = await fabric.depth(sub.topic, sub.group)
            except Exception:
                if key in self._depths:
                    depths[key] = self._depths[key]
        self._depths = depths

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(depth, {"messaging.destination.name": topic, "gati.fabric.group": group})
            for (topic, group), depth in self._depths.items()
        ]
