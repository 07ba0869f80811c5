"""Lifecycle events (DESIGN §6): an emitter that costs nothing while nobody listens, and little
while only tracers do.

The orchestrator describes each event as a small tuple, an ``Event``: ``(kind, ts_ns, hook,
attempt, duration_ns, error, state)`` — ``kind`` one of ``EVENT_TYPES``, ``ts_ns`` from
``time.perf_counter_ns``, ``hook`` the ``Hook`` of a ``hook.*`` event (a compensation's name
for ``compensation.*``, else None), ``duration_ns`` and ``error`` (the failure as text) or
None, and ``state`` the state store's O(1) snapshot at a hook or handler boundary (``*.start``,
``hook.end``, ``hook.error``, ``handler.end``; None elsewhere, or while the request never
touched its state). Two kinds of listener take them:

- a *listener* (``subscribe``) gets each event as a dict (``as_event``) as it happens;
- a *tracer* (``trace``) is asked at each request's start whether it wants that request and
  answers with a ``Trace``: the orchestrator appends the request's tuples to it and hands it
  ``request.end`` through ``end``. A list subclass appends in C: no dict, no Python call per
  event, and the tracer turns the tuples into what it shows only when someone looks (the
  Playground's recorder).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from types import CoroutineType
from typing import Any, Final, Protocol

__all__ = ["EVENT_TYPES", "FAILURE_EVENTS", "Emitter", "Event", "Trace", "as_event", "event"]

EVENT_TYPES: Final = frozenset(
    {
        "request.start",
        "request.end",
        "hook.start",
        "hook.end",
        "hook.error",
        "hook.retry",
        "handler.start",
        "handler.end",
        "handler.error",
        "validation.error",
        "compensation.start",
        "compensation.end",
        "compensation.alert",
    }
)
# what went wrong in a request: emitted on failure paths only, so listening to these alone
# costs nothing while requests succeed
FAILURE_EVENTS: Final = frozenset(
    {"hook.error", "hook.retry", "handler.error", "validation.error", "compensation.alert"}
)
_log = logging.getLogger("gati.lifecycle")

Listener = Callable[[dict[str, Any]], Any]
# (kind, ts_ns, hook, attempt, duration_ns, error, state)
Event = tuple[str, int, Any, int, "int | None", "str | None", Any]


class Trace(Protocol):
    """Where one request's events go: ``append`` each, then ``end`` with ``request.end``."""

    def append(self, ev: Event, /) -> Any: ...

    def end(self, ev: Event, /) -> Any: ...


# called at a request's start with (req, res, lctx): the request's ``Trace``, None to skip
# the request, or a coroutine giving either (a tracer that must read something first)
Tracer = Callable[[Any, Any, Any], "Trace | Coroutine[Any, Any, Trace | None] | None"]


def event(kind: str, meta: Any, **fields: Any) -> dict[str, Any]:
    """An event dict: ``type``, ``ts_ns``, ``request_id``, ``handler_id``, ``version`` + fields."""
    return {
        "type": kind,
        "ts_ns": time.time_ns(),
        "request_id": meta.request_id,
        "handler_id": meta.handler_id,
        "version": meta.version,
        **fields,
    }


def as_event(ev: Event, meta: Any) -> dict[str, Any]:
    """The dict a listener gets for ``ev`` (its ``ts_ns`` the wall clock now)."""
    kind, _, hook, attempt, duration, error, _ = ev
    out = event(kind, meta)
    if type(hook) is str:
        out["hook_id"] = hook
    elif hook is not None:
        out["hook_id"] = hook.id
        out["level"] = hook.level
        out["attempt"] = attempt
    if duration is not None:
        out["duration_ns"] = duration
    if error is not None:
        out["error"] = error
    return out


class Emitter:
    """Fans lifecycle events out to listeners and tracers; a listener that raises is logged
    and skipped.

    The orchestrator tests ``listening`` and, when true, calls ``start(req, res, lctx)`` for
    the request's ``Trace`` (None when nobody wants that request; awaited when a coroutine),
    so with no listener and no tracer no event is ever made. A listener of ``FAILURE_EVENTS`` alone
    (``failures_only=True``) sits in ``failure_listeners``, which callers test on failure
    paths only: it leaves ``listening`` false, so successful requests still build no event.
    """

    __slots__ = ("failure_listeners", "listeners", "listening", "start", "tracers")

    def __init__(self) -> None:
        self.listeners: tuple[Listener, ...] = ()
        self.failure_listeners: tuple[Listener, ...] = ()
        self.tracers: tuple[Tracer, ...] = ()
        self.listening = False
        self.start: Tracer = self._start

    def subscribe(self, fn: Listener, *, failures_only: bool = False) -> Callable[[], None]:
        """Add a listener (of every event, or of ``FAILURE_EVENTS`` alone); returns a function
        that removes it."""
        if failures_only:
            self.failure_listeners = (*self.failure_listeners, fn)
        else:
            self.listeners = (*self.listeners, fn)
        self._rewire()

        def unsubscribe() -> None:
            self.listeners = tuple(f for f in self.listeners if f is not fn)
            self.failure_listeners = tuple(f for f in self.failure_listeners if f is not fn)
            self._rewire()

        return unsubscribe

    def trace(self, tracer: Tracer) -> Callable[[], None]:
        """Add a tracer: ``tracer(req, res, lctx)`` at each request's start returns that
        request's ``Trace``, None to skip the request, or a coroutine giving either (awaited
        before the request goes on). Returns a function that removes it."""
        self.tracers = (*self.tracers, tracer)
        self._rewire()

        def untrace() -> None:
            self.tracers = tuple(t for t in self.tracers if t is not tracer)
            self._rewire()

        return untrace

    def _rewire(self) -> None:
        """A lone tracer is ``start`` itself: its ``Trace`` is the request's, with no fan-out."""
        self.listening = bool(self.listeners or self.tracers)
        alone = len(self.tracers) == 1 and not self.listeners and not self.failure_listeners
        self.start = self.tracers[0] if alone else self._start

    async def _start(self, req: Any, res: Any, lctx: Any) -> Trace | None:
        """The request's ``Trace``: its tracers' and, as dicts, the listeners'."""
        traces: list[Trace] = []
        for tracer in self.tracers:
            trace: Any = tracer(req, res, lctx)
            if type(trace) is CoroutineType:
                trace = await trace
            if trace is not None:
                traces.append(trace)
        if not self.listeners:
            if not traces:
                return None  # failure listeners alone: the failure paths report to them
            if len(traces) == 1 and not self.failure_listeners:
                return traces[0]
        return _FanOut(self, lctx.meta, traces)

    def emit(self, ev: dict[str, Any]) -> None:
        """Deliver ``ev`` to every listener (a failure event to the failure listeners too)."""
        for fn in self.listeners:
            self._deliver(fn, ev)
        if self.failure_listeners and ev["type"] in FAILURE_EVENTS:
            for fn in self.failure_listeners:
                self._deliver(fn, ev)

    @staticmethod
    def _deliver(fn: Listener, ev: dict[str, Any]) -> None:
        try:
            fn(ev)
        except Exception:
            _log.exception("lifecycle event listener %r failed", fn)

    def failure_emit(self) -> Callable[[dict[str, Any]], None] | None:
        """``emit`` when someone listens to failure events, else None (for failure paths)."""
        return self.emit if self.listeners or self.failure_listeners else None


class _FanOut:
    """One request's ``Trace`` for several tracers and the listeners (as dicts)."""

    __slots__ = ("emitter", "meta", "traces")

    def __init__(self, emitter: Emitter, meta: Any, traces: list[Trace]) -> None:
        self.emitter = emitter
        self.meta = meta
        self.traces = traces

    def append(self, ev: Event) -> None:
        for trace in self.traces:
            trace.append(ev)
        self._listeners(ev)

    def end(self, ev: Event) -> None:
        for trace in self.traces:
            trace.end(ev)
        self._listeners(ev)

    def _listeners(self, ev: Event) -> None:
        emitter = self.emitter
        if emitter.listeners or (emitter.failure_listeners and ev[0] in FAILURE_EVENTS):
            emitter.emit(as_event(ev, self.meta))
