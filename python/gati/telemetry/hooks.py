"""``HookSpans``: ``telemetry="detailed"``'s child span and duration per hook run, as a lifecycle
tracer (``Emitter.trace``, the form the Playground's recorder takes too).

At each request's start the orchestrator asks for the request's ``Trace`` and then appends the
request's event tuples to it as they happen, in the request's task: no event dict is built and
nothing is looked up by request id. The request's server span is the one the telemetry step
makes current: the trace takes it at the step's own ``hook.end`` (the first hook of every
plan). Each later ``hook.start`` opens a child span ``hook <id>`` (one per attempt) that its
``hook.end`` or ``hook.error`` closes (ERROR when the hook raised) with the run's duration in
``gati.hook.duration``; the failure events become events of the server span, as without
``"detailed"``.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import Status, StatusCode, get_current_span, set_span_in_context

from gati.lifecycle.events import FAILURE_EVENTS, Event, as_event

__all__ = ["HookSpans", "request_span"]


def request_span(request_id: str) -> Any:
    """The current span if it is the server span of request ``request_id``, else None (a
    request resumed past the telemetry step runs without one)."""
    span = get_current_span()
    attributes = getattr(span, "attributes", None)
    if attributes is None or attributes.get("gati.request_id") != request_id:
        return None
    return span


class HookSpans:
    """The tracer of one app's ``"detailed"`` telemetry (``open`` is what ``Emitter.trace``
    takes)."""

    def __init__(self, telemetry: Any, step_id: str) -> None:
        self.telemetry = telemetry
        self.step_id = step_id

    async def open(self, req: Any, res: Any, lctx: Any) -> _RequestHooks:
        """The tracer: every request's events, for its hook spans."""
        return _RequestHooks(self, lctx.meta)


class _RequestHooks:
    """One request's ``Trace``: its server span once known, and its hook spans still open."""

    __slots__ = ("hooks", "meta", "owner", "span")

    def __init__(self, owner: HookSpans, meta: Any) -> None:
        self.owner = owner
        self.meta = meta
        self.span: Any = None
        self.hooks: dict[str, Any] = {}  # hook id -> its open span

    def append(self, ev: Event) -> None:
        kind, _, hook, attempt, duration, error, _ = ev
        span = self.span
        if span is None:
            if kind == "hook.end" and hook.id == self.owner.step_id:
                self.span = request_span(self.meta.request_id)
            elif kind in FAILURE_EVENTS:
                self._failure(request_span(self.meta.request_id), ev)
            return
        if kind == "hook.start":
            hook_id = hook.id
            self.hooks[hook_id] = self.owner.telemetry.tracer.start_span(
                f"hook {hook_id}",
                set_span_in_context(span),
                attributes={
                    "gati.hook_id": hook_id,
                    "gati.hook.level": hook.level,
                    "gati.hook.attempt": attempt,
                },
            )
            return
        if kind in FAILURE_EVENTS:
            self._failure(span, ev)
        if kind == "hook.end" or kind == "hook.error":
            hook_span = self.hooks.pop(hook.id, None)
            if hook_span is None:
                return
            if kind == "hook.error":
                hook_span.set_status(Status(StatusCode.ERROR, error))
            hook_span.end()
            seconds = (duration or 0) / 1e9  # both kinds carry the run's duration
            self.owner.telemetry.hook_duration.record(seconds, {"gati.hook_id": hook.id})

    def end(self, ev: Event) -> None:
        """``request.end``: the hook spans are closed by then; the server span is the telemetry
        step's to end (once the response is settled)."""

    def _failure(self, span: Any, ev: Event) -> None:
        if span is not None:
            self.owner.telemetry.failure(span, as_event(ev, self.meta))
