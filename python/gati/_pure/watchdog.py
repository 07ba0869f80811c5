"""Pure twin of the native ``Watchdog`` (``rust/watchdog``): one shared timer per event loop
that cancels tasks past their deadline."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Watchdog"]

# CPython 3.11 keeps running tasks in this dict; asyncio.current_task() adds a
# get_running_loop() call. Where it is missing, nothing is found and nothing armed.
_running: dict[Any, Any] = getattr(asyncio.tasks, "_current_tasks", {})


class Watchdog:
    """Deadlines per task; a task past its deadline is cancelled and marked expired. The one
    timer stays armed at the earliest deadline it knows; a request writes and deletes one dict
    entry."""

    __slots__ = ("_clock", "_timer", "armed_at", "deadlines", "expired", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        # The default loop's time() is time.monotonic() behind a Python-level method.
        default = getattr(type(loop), "time", None) is asyncio.BaseEventLoop.time
        self._clock: Callable[[], float] = time.monotonic if default else loop.time
        self.deadlines: dict[asyncio.Task[Any], float] = {}
        self.expired: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self.armed_at = math.inf

    def arm(self, task: asyncio.Task[Any], timeout: float) -> None:
        """Cancel ``task`` if it is still armed ``timeout`` seconds from now."""
        when = self._clock() + timeout
        self.deadlines[task] = when
        if when < self.armed_at:
            self.schedule(when)

    def arm_running(self, timeout: float) -> asyncio.Task[Any] | None:
        """Arm the task running on the loop for ``timeout`` seconds and return it; None,
        arming nothing, when no task runs there."""
        task = _running.get(self.loop)
        if task is not None:
            self.arm(task, timeout)
        return task

    def disarm(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; True if its deadline had passed (its cancel is undone)."""
        self.deadlines.pop(task, None)
        if task in self.expired:
            self.expired.discard(task)
            task.uncancel()
            return True
        return False

    def schedule(self, when: float) -> None:
        """Keep the one timer armed at ``when`` (earlier than any deadline it was armed for)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(when, self._fire)
        self.armed_at = when

    def _fire(self) -> None:
        self._timer = None
        self.armed_at = math.inf
        now = self.loop.time()
        nxt = math.inf
        for task, when in list(self.deadlines.items()):
            if when <= now:
                del self.deadlines[task]
                if not task.done():
                    self.expired.add(task)
                    task.cancel()
            elif when < nxt:
                nxt = when
        if nxt < math.inf:
            self.schedule(nxt)
