"""A Hypothesis state machine for delivery: random publishes (each with a planned number of
failures), interleavings and consumer crashes, checked against a reference model: every message
is acknowledged at least once or dead-lettered, never lost, never both, and never attempted
more than ``max_attempts`` times. Runs on MemoryFabric (where a success also happens once) and
on RedisFabric (real Redis), where consumers also stall past the visibility timeout."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gati.fabric import Fabric, MemoryFabric, Message
from gati.fabric.redis import RedisFabric
from gati.lifecycle.hooks import Backoff
from tests.redis_server import RedisServer

MAX_ATTEMPTS = 3
CONSUMERS = 2


def machine(
    make: Callable[[], Fabric], visibility_timeout: float | None = None
) -> type[RuleBasedStateMachine]:
    """The machine for the fabrics ``make`` makes; with a ``visibility_timeout``, a rule also
    stalls every consumer past it."""

    class Delivery(RuleBasedStateMachine):
        once = visibility_timeout is None  # a success happens once: no lease to lose

        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.new_event_loop()
            self.fabric = self.run(self._make())
            self.planned: dict[int, int] = {}  # message -> failures it will have
            self.attempts: dict[int, list[int]] = defaultdict(list)
            self.acked: dict[int, list[int]] = defaultdict(list)
            self.subs = [self.run(self._subscribe()) for _ in range(CONSUMERS)]

        def run(self, aw: Any) -> Any:
            return self.loop.run_until_complete(aw)

        async def _make(self) -> Fabric:
            fabric = make()
            fabric.retry_backoff = Backoff(base=0.0, factor=1.0, cap=0.0)
            return fabric

        async def _subscribe(self) -> Any:
            return await self.fabric.subscribe(
                "jobs", self.handle, group="workers", max_attempts=MAX_ATTEMPTS
            )

        async def handle(self, message: Message) -> None:
            k = message.payload["k"]
            self.attempts[k].append(message.attempt)
            await asyncio.sleep(0)
            if message.attempt <= message.payload["fails"]:
                raise RuntimeError(f"planned failure {message.attempt}")
            await asyncio.sleep(0)
            self.acked[k].append(message.attempt)

        @rule(fails=st.integers(0, MAX_ATTEMPTS + 1))
        def publish(self, fails: int) -> None:
            k = len(self.planned)
            self.planned[k] = fails
            self.run(self.fabric.publish("jobs", {"k": k, "fails": fails}))

        @rule(turns=st.integers(0, 6))
        def let_consumers_run(self, turns: int) -> None:
            for _ in range(turns):
                self.run(asyncio.sleep(0))

        @rule(which=st.integers(0, CONSUMERS - 1))
        def crash_a_consumer(self, which: int) -> None:
            """The consumer stops at once, mid-message or not; a fresh one takes its place."""
            self.run(self.subs[which].close(timeout=0))
            self.subs[which] = self.run(self._subscribe())

        @invariant()
        def attempts_count_up_to_max_attempts(self) -> None:
            for seen in self.attempts.values():
                assert seen == sorted(set(seen)) and seen[-1] <= MAX_ATTEMPTS

        def teardown(self) -> None:
            try:
                dead = self.run(self._settle())
                for k, fails in self.planned.items():
                    assert bool(self.acked.get(k)) != (k in dead), (k, self.acked, dead)
                    if k in self.acked:  # on an attempt planned to work (a crash
                        # mid-attempt uses one up)
                        assert all(attempt > fails for attempt in self.acked[k])
                        assert len(self.acked[k]) == 1 or not self.once
                    else:
                        attempts, error = dead[k]
                        assert attempts == MAX_ATTEMPTS or "ConsumerLost" in error
                        if fails >= MAX_ATTEMPTS and "ConsumerLost" not in error:
                            assert error.startswith("RuntimeError: planned failure")
            finally:
                self.run(self.fabric.close())
                self.loop.close()

        async def _settle(self) -> dict[int, tuple[int, str]]:
            """The dead letters, once every message is acknowledged or dead-lettered and the
            attempts still running have finished (and settled what they handled)."""
            for _ in range(2000):
                dead = await self._dead_letters()
                if all(k in self.acked or k in dead for k in self.planned):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("some messages were neither acknowledged nor dead-lettered")
            for sub in self.subs:
                await sub.close()
            return await self._dead_letters()

        async def _dead_letters(self) -> dict[int, tuple[int, str]]:
            return {
                m.payload["payload"]["k"]: (m.payload["attempts"], m.payload["error"])
                for m in await self.fabric.dead_letters("jobs", 1000)
            }

    if visibility_timeout is None:
        return Delivery

    class Stalling(Delivery):
        @rule()
        def stall(self) -> None:
            """No consumer runs for longer than the visibility timeout (a blocked loop, a long
            pause): another consumer may take over an attempt that still finishes later."""
            time.sleep(visibility_timeout * 1.5)

    return Stalling


def test_memory_delivery_matches_the_model() -> None:
    run_state_machine_as_test(
        machine(MemoryFabric), settings=settings(max_examples=60, deadline=None)
    )


def test_redis_delivery_matches_the_model(redis_server: RedisServer) -> None:
    def make() -> Fabric:
        return RedisFabric(
            redis_server.url, prefix=f"sm{uuid.uuid4().hex}:", visibility_timeout=0.1, block_ms=5
        )

    run_state_machine_as_test(
        machine(make, visibility_timeout=0.1),
        settings=settings(max_examples=12, stateful_step_count=12, deadline=None),
    )
