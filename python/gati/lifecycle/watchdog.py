"""One shared timer per event loop that cancels tasks past their deadline (``Watchdog``, a
twin pair: ``rust/watchdog``, pure ``gati._pure.watchdog``).

A request arms it with one call and disarms it with another; the watchdog keeps one timer armed
at the earliest deadline it knows, so a request costs one dict entry written and deleted, not a
``loop.call_at`` and its cancel, nor an ``async with asyncio.timeout()`` (benches "handler
timeout mechanism" compares the three).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from gati._backend import twin

__all__ = ["Watchdog", "task_and_watchdog"]

# CPython 3.11 keeps running tasks in this dict; asyncio.current_task() adds a
# get_running_loop() call that costs 0.2 µs here. Where it is missing, the public path is used.
_running_tasks: dict[Any, Any] = getattr(asyncio.tasks, "_current_tasks", {})


class Watchdog(Protocol):
    """Deadlines per task; a task past its deadline is cancelled and marked expired."""

    @property
    def loop(self) -> asyncio.AbstractEventLoop: ...
    @property
    def deadlines(self) -> dict[asyncio.Task[Any], float]: ...
    @property
    def expired(self) -> set[asyncio.Task[Any]]: ...
    @property
    def armed_at(self) -> float: ...

    def arm(self, task: asyncio.Task[Any], timeout: float, /) -> None:
        """Cancel ``task`` if it is still armed ``timeout`` seconds from now."""

    def arm_running(self, timeout: float, /) -> asyncio.Task[Any] | None:
        """Arm the task running on the loop for ``timeout`` seconds and return it; None,
        arming nothing, when no task runs there."""

    def disarm(self, task: asyncio.Task[Any], /) -> bool:
        """Stop watching ``task``; True if its deadline had passed (its cancel is undone)."""


_new_watchdog: Callable[[asyncio.AbstractEventLoop], Watchdog] = twin("Watchdog")


def task_and_watchdog(
    cached: Watchdog | None,
) -> tuple[asyncio.Task[Any] | None, Watchdog]:
    """The running task and the watchdog of its loop, reusing ``cached`` when it is the
    running loop's (one dict lookup) and making a new one otherwise."""
    if cached is not None:
        task = _running_tasks.get(cached.loop)
        if task is not None:
            return task, cached
    loop = asyncio.get_running_loop()
    if cached is None or cached.loop is not loop:
        cached = _new_watchdog(loop)
    return asyncio.current_task(loop), cached
