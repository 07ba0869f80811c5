"""Lifecycle events (DESIGN §6): an emitter that costs nothing while nobody listens."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final

__all__ = ["EVENT_TYPES", "FAILURE_EVENTS", "Emitter", "event"]

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


class Emitter:
    """Fans lifecycle events out to listeners; a listener that raises is logged and skipped.

    Callers test ``emitter.listeners`` before building an event, so with no listener no event
    dict is ever made. A listener of ``FAILURE_EVENTS`` alone (``failures_only=True``) sits in
    ``failure_listeners``, which callers test on failure paths only: it leaves ``listeners``
    empty, so successful requests still build no event.
    """

    __slots__ = ("failure_listeners", "listeners")

    def __init__(self) -> None:
        self.listeners: tuple[Listener, ...] = ()
        self.failure_listeners: tuple[Listener, ...] = ()

    def subscribe(self, fn: Listener, *, failures_only: bool = False) -> Callable[[], None]:
        """Add a listener (of every event, or of ``FAILURE_EVENTS`` alone); returns a function
        that removes it."""
        if failures_only:
            self.failure_listeners = (*self.failure_listeners, fn)
        else:
            self.listeners = (*self.listeners, fn)

        def unsubscribe() -> None:
            self.listeners = tuple(f for f in self.listeners if f is not fn)
            self.failure_listeners = tuple(f for f in self.failure_listeners if f is not fn)

        return unsubscribe

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
