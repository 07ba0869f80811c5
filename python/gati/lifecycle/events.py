"""Lifecycle events (DESIGN §6): an emitter that costs nothing while nobody listens."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final

__all__ = ["EVENT_TYPES", "Emitter", "event"]

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
    dict is ever made.
    """

    __slots__ = ("listeners",)

    def __init__(self) -> None:
        self.listeners: tuple[Listener, ...] = ()

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        self.listeners = (*self.listeners, fn)

        def unsubscribe() -> None:
            self.listeners = tuple(f for f in self.listeners if f is not fn)

        return unsubscribe

    def emit(self, ev: dict[str, Any]) -> None:
        """Deliver ``ev`` to every listener."""
        for fn in self.listeners:
            try:
                fn(ev)
            except Exception:
                _log.exception("lifecycle event listener %r failed", fn)
