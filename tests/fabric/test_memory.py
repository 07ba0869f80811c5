"""MemoryFabric specifics: priorities, and exact bounds (Redis trims approximately)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from gati.fabric import BackpressureError, MemoryFabric
from tests.fabric.conftest import held_gate, until


async def test_higher_priority_is_delivered_first_then_publish_order() -> None:
    fabric = MemoryFabric()
    gate = await held_gate(fabric, "jobs", "first")
    for name, priority in [("low-1", 0), ("high-1", 5), ("low-2", 0), ("high-2", 5), ("mid", 1)]:
        await fabric.publish("jobs", name, priority=priority)
    gate.open.set()
    await until(lambda: len(gate.seen) == 6)
    assert gate.seen == ["first", "high-1", "high-2", "mid", "low-1", "low-2"]
    await fabric.close()


async def test_drop_oldest_drops_the_oldest_across_priorities() -> None:
    fabric = MemoryFabric()
    fabric.topic("d", maxlen=2, policy="drop_oldest")
    gate = await held_gate(fabric, "d", "held")
    await fabric.publish("d", "old-high", priority=9)
    await fabric.publish("d", "new-low")
    await fabric.publish("d", "newest-low")
    gate.open.set()
    await until(lambda: len(gate.seen) == 3)
    assert gate.seen == ["held", "new-low", "newest-low"]
    await fabric.close()


@given(
    maxlen=st.integers(1, 8),
    policy=st.sampled_from(["reject", "drop_oldest", "block"]),
    count=st.integers(0, 30),
)
@settings(max_examples=60, deadline=None)
def test_a_group_backlog_never_exceeds_maxlen_property_43(
    maxlen: int, policy: str, count: int
) -> None:
    """Property 43: with a stuck consumer, the backlog stays at most ``maxlen``; ``reject`` and
    ``block`` refuse exactly the publishes that find it full; ``drop_oldest`` keeps the newest."""

    async def run() -> None:
        fabric = MemoryFabric()
        fabric.topic("t", maxlen=maxlen, policy=policy, publish_timeout=0.0)  # type: ignore[arg-type]
        gate = await held_gate(fabric, "t", -1)
        accepted: list[int] = []
        for i in range(count):
            try:
                await fabric.publish("t", i)
                accepted.append(i)
            except BackpressureError:
                assert policy != "drop_oldest"
            assert await fabric.depth("t", "g") <= maxlen + 1  # + the one in flight
        if policy == "drop_oldest":
            assert accepted == list(range(count))
        else:
            assert accepted == list(range(min(count, maxlen)))
        gate.open.set()
        expected = accepted[-maxlen:] if policy == "drop_oldest" else accepted
        await until(lambda: gate.seen[1:] == expected)
        await fabric.close()

    asyncio.run(run())
