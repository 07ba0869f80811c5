"""``Telemetry``: one SERVER span and the request metrics per request, as a built-in step.

The step joins every route's plan ahead of all hooks (``App.add_step``, like the policies'
steps) and also runs for requests no route takes. It opens the span (continuing an incoming
W3C ``traceparent``), makes it current for the hooks and the handler, and registers two
lifecycle callbacks: ``on_error`` records a failure on the span, and ``on_cleanup`` closes it
and records the request's duration (the histogram's count is the request count: one
instrument, not two). Cleanup runs once the response is settled (the error response written,
a delegated body sent), so the span and the metrics carry the status the client gets.

A lifecycle event listener adds the retries and errors as span events; it hears the failure
events alone (built on failure paths only). ``detailed`` replaces it with a lifecycle tracer
(``gati.telemetry.hooks``) that takes every event tuple, for a child span and a duration per
hook run too. Nothing here runs for an app without telemetry.
"""

from __future__ import annotations

from time import time_ns
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.context import attach, detach, get_current
from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gati.http.not_routed import NOT_ROUTED_ID
from gati.lifecycle.hooks import Hook
from gati.policy.ratelimit import RateLimited
from gati.telemetry.fabric import FabricTracing
from gati.telemetry.hooks import HookSpans, request_span
from gati.telemetry.modules import ModuleTracing
from gati.telemetry.recorder import Recorder

__all__ = ["STEP_ID", "Telemetry"]

STEP_ID = "gati.telemetry"
_SCOPE = "gati"
_SERVER = SpanKind.SERVER
_ERROR = Status(StatusCode.ERROR)
_propagator = TraceContextTextMapPropagator()
# the HTTP semantic conventions' advice for request durations, in seconds
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


def _trace_headers(scope: dict[str, Any]) -> dict[str, str]:
    """``traceparent`` and ``tracestate`` of the request, for the propagator."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name == b"traceparent" or name == b"tracestate":
            found[name.decode()] = value.decode("latin-1")
    return found


class Telemetry:
    """Spans and metrics for one app (``App(telemetry=...)`` or ``gati.telemetry.instrument``)."""

    def __init__(
        self, *, detailed: bool = False, tracer_provider: Any = None, meter_provider: Any = None
    ) -> None:
        self.detailed = detailed
        self.tracer = trace.get_tracer(_SCOPE, tracer_provider=tracer_provider)
        self.meter = metrics.get_meter(_SCOPE, meter_provider=meter_provider)
        self.duration = self.meter.create_histogram(
            "http.server.request.duration",
            unit="s",
            description="Duration of requests",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )
        self.hook_duration = self.meter.create_histogram(
            "gati.hook.duration",
            unit="s",
            description="Duration of hook runs",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )
        self.rejections = self.meter.create_counter(
            "gati.ratelimit.rejections",
            unit="{request}",
            description="Requests refused by a rate limit",
        )
        self.recorder = Recorder(self.meter)
        self.modules = ModuleTracing(self.tracer, self.meter)
        self.fabric = FabricTracing(self.tracer, self.meter)

    def attach(self, app: Any) -> None:
        """Join ``app``'s request path: the built-in step, ``gctx.metrics``, the listener.
        An app is instrumented once (twice would open two server spans per request)."""
        if any(step.id == STEP_ID for step in app.steps):
            raise ValueError(
                "this app is instrumented already (App(telemetry=...) or instrument(app)); "
                "give the providers to one instrument(app, ...) call instead"
            )
        app.add_step(Hook(self.step, id=STEP_ID, level="global"))
        app.gctx.metrics = self.recorder
        app.modules.wrap_callers(self.modules.wrap)
        self.fabric.attach(app.fabric)
        if self.detailed:  # every event, as the tuples the orchestrator makes
            app.emitter.trace(HookSpans(self, STEP_ID).open)
        else:  # the failure events alone: nothing is built while requests succeed
            app.emitter.subscribe(self.observe, failures_only=True)

    async def step(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Open the request's span and arrange for it to close when the request ends."""
        meta = lctx.meta
        method = meta.method
        scope = req.scope
        client_ip, user_agent = meta.client
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.path": meta.path,
            "url.scheme": scope.get("scheme", "http"),
            "gati.request_id": meta.request_id,
        }
        labels: dict[str, Any] = {"http.request.method": method}
        if meta.handler_id == NOT_ROUTED_ID:
            name = method
        else:
            route = meta.route
            name = f"{method} {route}"
            attributes["http.route"] = labels["http.route"] = route
            attributes["gati.handler_id"] = meta.handler_id
        version = meta.version
        if version is not None:
            attributes["gati.version"] = labels["gati.version"] = version
        if client_ip:
            attributes["client.address"] = client_ip
        if user_agent:
            attributes["user_agent.original"] = user_agent
        # the caller's context (an incoming traceparent) or the current one, read once
        parent = _propagator.extract(_trace_headers(scope)) if meta.trace_id else get_current()
        started = int(meta.started_at * 1e9)
        span = self.tracer.start_span(name, parent, _SERVER, attributes, start_time=started)
        token = attach(set_span_in_context(span, parent))

        def failed(exc: BaseException) -> None:
            span.record_exception(exc)
            span.set_attribute("error.type", type(exc).__qualname__)
            if type(exc) is RateLimited:
                self.rejections.add(
                    1, {"http.route": meta.route, "gati.ratelimit.policy": exc.policy}
                )

        def end() -> None:
            delegated = res.asgi
            status = res.status_code if delegated is None else delegated.status_code
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(_ERROR)
            if lctx.current_phase == "timeout":  # the slot: two property reads fewer
                span.add_event("request.timeout")
                span.set_attribute("error.type", "timeout")
            detach(token)
            ended = time_ns()  # one clock read for the span's end and the duration
            span.end(ended)
            labels["http.response.status_code"] = status
            self.duration.record((ended - started) / 1e9, labels)

        lctx.on_error(failed)
        lctx.on_cleanup(end)

    async def refresh(self) -> None:
        """Bring the gauges that query a backend (queue depth) up to date."""
        await self.fabric.refresh()

    def observe(self, ev: dict[str, Any]) -> None:
        """The failure listener: a failure event on the request's server span (emitted in the
        request's task, where that span is current)."""
        span = request_span(ev["request_id"])
        if span is not None:
            self.failure(span, ev)

    @staticmethod
    def failure(span: Any, ev: dict[str, Any]) -> None:
        """Failure event ``ev`` (``hook.error``, ``hook.retry``, …) as an event of ``span``."""
        span.add_event(
            ev["type"], {k: ev[k] for k in ("hook_id", "attempt", "error") if ev.get(k) is not None}
        )
