"""Module calls under telemetry: a CLIENT span per call, its latency, trace context across.

``ModuleTracing.wrap`` is put in front of every method caller (``app.modules.wrap_callers``):
the call runs in a CLIENT span ``<module>/<method>`` (RPC semantic conventions), child of the
current span (the request's), and its duration goes to ``gati.module.call.duration`` by
module, method and outcome (``ok``, ``error``, ``timeout``, ``unavailable``). A process
module's call carries the span's W3C ``traceparent`` in the JSON-RPC request's ``headers``;
``server_span`` continues it on the module's side when its ``serve()`` was given a tracer
provider. An in-process module runs in the caller's task, so code in it sees the CLIENT span
as current without any header.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gati.modules.errors import ModuleError, ModuleTimeout, ModuleUnavailable
from gati.modules.rpc import OUTGOING_HEADERS

__all__ = ["ModuleTracing", "server_span"]

_CLIENT = SpanKind.CLIENT
_propagator = TraceContextTextMapPropagator()
_now = time.perf_counter
# the RPC semantic conventions' advice for call durations, in seconds
_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, ModuleTimeout):
        return "timeout"
    if isinstance(exc, ModuleUnavailable):
        return "unavailable"
    return "error"


def _failed(span: Any, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_attribute("error.type", type(exc).__qualname__)
    span.set_status(Status(StatusCode.ERROR, str(exc)))


class TracedCall:
    """One method caller with its CLIENT span and latency sample around each call."""

    __slots__ = ("_attributes", "_call", "_labels", "_name", "_owner", "_remote")

    def __init__(self, owner: ModuleTracing, call: Any, module: str, method: str, remote: bool):
        self._owner = owner
        self._call = call
        self._name = f"{module}/{method}"
        self._attributes = {"rpc.system": "gati", "rpc.service": module, "rpc.method": method}
        self._labels = {"gati.module": module, "gati.module.method": method}
        self._remote = remote

    async def __call__(self, **kwargs: Any) -> Any:
        owner = self._owner
        span = owner.tracer.start_span(self._name, kind=_CLIENT, attributes=self._attributes)
        ctx = trace.set_span_in_context(span)
        token = context.attach(ctx)
        sent = None
        if self._remote:
            carrier: dict[str, str] = {}
            _propagator.inject(carrier, ctx)
            sent = OUTGOING_HEADERS.set(carrier)
        outcome = "ok"
        started = _now()
        try:
            return await self._call(**kwargs)
        except BaseException as exc:
            outcome = _outcome(exc)
            _failed(span, exc)
            if isinstance(exc, ModuleError):
                span.set_attribute("rpc.gati.error_code", exc.code)
            raise
        finally:
            elapsed = _now() - started
            if sent is not None:
                OUTGOING_HEADERS.reset(sent)
            context.detach(token)
            span.end()
            owner.duration.record(elapsed, {**self._labels, "gati.module.outcome": outcome})

    def __getattr__(self, name: str) -> Any:  # module, name, method: the wrapped caller's
        return getattr(self._call, name)

    def __repr__(self) -> str:
        return f"<traced {self._call!r}>"


class ModuleTracing:
    """The tracer and the latency histogram of one app's module calls."""

    def __init__(self, tracer: Any, meter: Any) -> None:
        self.tracer = tracer
        self.duration = meter.create_histogram(
            "gati.module.call.duration",
            unit="s",
            description="Duration of module calls",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )

    def wrap(self, caller: Any, manifest: Any) -> TracedCall:
        """``caller`` traced (for ``app.modules.wrap_callers``)."""
        remote = manifest.runtime == "process"
        return TracedCall(self, caller, caller.module, caller.name, remote)


@contextlib.contextmanager
def server_span(
    tracer: Any, module: str, method: str, headers: Mapping[str, str] | None
) -> Iterator[Any]:
    """The module side of a call: a SERVER span continuing the caller's ``traceparent``."""
    parent = _propagator.extract(headers) if headers else None
    with tracer.start_as_current_span(
        f"{module}/{method}",
        parent,
        SpanKind.SERVER,
        attributes={"rpc.system": "gati", "rpc.service": module, "rpc.method": method},
    ) as span:
        yield span
