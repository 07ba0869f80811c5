"""``Watchdog``, native against pure: the same deadlines kept, tasks cancelled and marked
expired, and disarm answers after any sequence of arms, disarms and timer firings (Hypothesis,
on a real event loop with real tasks); a real timeout cancels a real task; GC of cycles."""

from __future__ import annotations

import asyncio
import gc
import math
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._backend import pair

native_watchdog, pure_watchdog = pair("Watchdog")
TWINS = pytest.mark.parametrize("make", [native_watchdog, pure_watchdog], ids=["native", "pure"])
pytestmark = pytest.mark.once  # builds both backends itself

TASKS = 4
# a deadline already past (the next firing cancels the task) or far ahead (it never does)
TIMEOUTS = st.sampled_from([-1.0, -0.001, 3600.0, 1e9, math.inf])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("arm"), st.integers(0, TASKS - 1), TIMEOUTS),
        # the running task only ever far ahead: a cancel of it would end the run
        st.tuples(st.just("arm_running"), st.just(0), st.sampled_from([3600.0, math.inf])),
        st.tuples(st.just("disarm"), st.integers(0, TASKS - 1), st.just(0.0)),
        st.tuples(st.just("fire"), st.just(0), st.just(0.0)),
    ),
    max_size=30,
)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def run(make: Any, ops: list[tuple[str, int, float]]) -> list[Any]:
    """What a watchdog made by ``make`` answers to ``ops`` on a fresh loop: indexes of the
    tasks it holds and has expired after each step, what disarm and arm_running return, and
    which tasks end up cancelled; never times or identities."""
    loop = asyncio.new_event_loop()
    out: list[Any] = []

    async def body() -> None:
        tasks = [loop.create_task(asyncio.sleep(3600)) for _ in range(TASKS)]
        me = asyncio.current_task()
        index = {task: i for i, task in enumerate(tasks)} | {me: "running"}
        wd = make(loop)
        assert wd.loop is loop
        for op, i, timeout in ops:
            if op == "arm":
                wd.arm(tasks[i], timeout)
            elif op == "arm_running":
                out.append(("armed", index[wd.arm_running(timeout)]))
            elif op == "disarm":
                out.append(("disarmed", wd.disarm(tasks[i])))
            elif wd.armed_at <= loop.time():  # the timer fires once its deadline passed
                wd._fire()
            out.append(
                (
                    sorted(map(str, (index[t] for t in wd.deadlines))),
                    sorted(map(str, (index[t] for t in wd.expired))),
                    wd.armed_at == math.inf,
                )
            )
        out.extend(task.cancelling() for task in tasks)
        for task in (*tasks, me):  # nothing left for the timer when the loop runs again
            wd.disarm(task)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        loop.run_until_complete(body())
    finally:
        loop.close()
    return out


@given(OPS)
@settings(max_examples=150, deadline=None)
def test_native_and_pure_watchdogs_agree(ops: list[tuple[str, int, float]]) -> None:
    assert run(native_watchdog, ops) == run(pure_watchdog, ops)


@TWINS
def test_a_task_past_its_deadline_is_cancelled_and_disarm_says_so(
    make: Any, loop: asyncio.AbstractEventLoop
) -> None:
    async def body() -> tuple[bool, bool]:
        wd = make(loop)
        task = wd.arm_running(0.01)
        assert task is asyncio.current_task()
        cancelled = False
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled = True
        return cancelled, wd.disarm(task)

    assert loop.run_until_complete(body()) == (True, True)


@TWINS
def test_a_task_done_in_time_is_left_alone(make: Any, loop: asyncio.AbstractEventLoop) -> None:
    async def body() -> tuple[bool, int, int]:
        wd = make(loop)
        task = wd.arm_running(5)
        await asyncio.sleep(0)
        expired = wd.disarm(task)
        return expired, len(wd.deadlines), task.cancelling()

    assert loop.run_until_complete(body()) == (False, 0, 0)


@TWINS
def test_outside_a_task_nothing_is_armed(make: Any, loop: asyncio.AbstractEventLoop) -> None:
    wd = make(loop)
    assert wd.arm_running(5) is None
    assert wd.deadlines == {} and wd.armed_at == math.inf


@TWINS
def test_the_timer_follows_the_earliest_deadline(
    make: Any, loop: asyncio.AbstractEventLoop
) -> None:
    wd = make(loop)
    first, second = object(), object()
    wd.arm(first, 100)
    late = wd.armed_at
    wd.arm(second, 10)
    assert wd.armed_at < late  # moved earlier
    wd.arm(first, 1000)
    assert wd.armed_at < late  # never later while an earlier deadline is known
    assert wd.disarm(second) is False and wd.disarm(second) is False  # twice is no error


@TWINS
def test_an_unhashable_task_is_a_type_error(make: Any, loop: asyncio.AbstractEventLoop) -> None:
    wd = make(loop)
    with pytest.raises(TypeError):
        wd.arm([], 1)
    with pytest.raises(TypeError):
        wd.arm(object(), "soon")


@TWINS
def test_a_watchdog_in_a_cycle_is_collected(make: Any) -> None:
    loop = asyncio.new_event_loop()
    wd = make(loop)

    class Task:
        def __hash__(self) -> int:
            return 1

    task = Task()
    task.wd = wd  # type: ignore[attr-defined]  # a cycle: watchdog → deadlines → task → watchdog
    wd.arm(task, 100)  # and loop → timer → watchdog._fire → watchdog → loop
    gone = weakref.ref(task)
    del wd, task
    loop.close()
    del loop
    gc.collect()
    assert gone() is None
