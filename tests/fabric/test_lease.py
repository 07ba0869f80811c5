"""RedisFabric when a consumer stalls past the visibility timeout (a blocked event loop, a long GC
pause) and another consumer of its group takes its entry over: the stalled attempt may still
finish, and the message must still end up acknowledged or dead-lettered, never both.

Each consumer runs in its own event loop, driven by hand: a loop that is not running is a
stalled consumer (its heartbeat cannot run), exactly as between the steps of
test_delivery_machine.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from gati.fabric import Message
from gati.fabric.api import LOST
from gati.fabric.redis import RedisFabric
from gati.lifecycle.hooks import Backoff
from tests.fabric.conftest import dead_letters, until
from tests.redis_server import RedisServer

T = TypeVar("T")
TOPIC = "jobs"


class Consumer:
    """One consumer process: its own event loop, fabric and subscription to ``TOPIC``."""

    def __init__(
        self, url: str, name: str, handler: Callable[[str, Message], Awaitable[None]]
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self.fabric = RedisFabric(url, prefix="lease:", visibility_timeout=0.1, block_ms=5)
        self.fabric.retry_backoff = Backoff(base=0.0, factor=1.0, cap=0.0)
        self.name = name
        self.handler = handler
        self.sub: Any = None

    def run(self, aw: Awaitable[T]) -> T:
        """Let this consumer run until ``aw`` is done (it is stalled the rest of the time)."""
        return self.loop.run_until_complete(aw)

    def subscribe(self, max_attempts: int) -> None:
        async def handle(message: Message) -> None:
            await self.handler(self.name, message)

        self.sub = self.run(
            self.fabric.subscribe(TOPIC, handle, group="workers", max_attempts=max_attempts)
        )

    def close(self) -> None:
        self.run(self.fabric.close())
        self.loop.close()


@pytest.fixture
def consumers(redis_server: RedisServer) -> Iterator[Callable[..., Consumer]]:
    made: list[Consumer] = []

    def make(name: str, handler: Callable[[str, Message], Awaitable[None]]) -> Consumer:
        made.append(Consumer(redis_server.url, name, handler))
        return made[-1]

    yield make
    for consumer in made:
        consumer.close()


async def pending_entries(fabric: RedisFabric) -> list[tuple[bytes, int]]:
    """The group's pending entries: (consumer, delivery count) each."""
    entries = await fabric.redis.xpending_range(fabric.key(TOPIC), "workers", "-", "+", 10)
    return [(e["consumer"], e["times_delivered"]) for e in entries]


async def settled(fabric: RedisFabric) -> dict[str, Any]:
    """The group's pending summary and the topic's dead letters."""
    pending = await fabric.redis.xpending(fabric.key(TOPIC), "workers")
    return {"pending": pending["pending"], "dead": await fabric.dead_letters(TOPIC)}


def test_a_last_attempt_that_finishes_after_its_lease_was_taken_over_is_not_also_dead(
    consumers: Callable[..., Consumer],
) -> None:
    """The reported double outcome: the last attempt stalls, another consumer dead-letters the
    entry as ``ConsumerLost``, then the stalled attempt succeeds: the success wins, the dead
    letter is withdrawn."""
    attempts: list[tuple[str, int]] = []
    succeeded: list[tuple[str, int]] = []
    go_on = asyncio.Event()

    async def handle(name: str, message: Message) -> None:
        attempts.append((name, message.attempt))
        if name == "a":
            await go_on.wait()
        succeeded.append((name, message.attempt))

    a = consumers("a", handle)
    a.subscribe(max_attempts=1)
    a.run(a.fabric.publish(TOPIC, "job"))
    a.run(until(lambda: attempts == [("a", 1)]))  # a is inside its only attempt; now it stalls

    b = consumers("b", handle)
    b.subscribe(max_attempts=1)
    lost = b.run(dead_letters(b.fabric, TOPIC))  # b took the entry over: attempts used up
    assert [d.payload["error"] for d in lost] == [LOST]

    go_on.set()  # the stall ends: the attempt succeeds
    a.run(until(lambda: succeeded == [("a", 1)]))
    a.run(a.sub.close())
    assert a.run(settled(a.fabric)) == {"pending": 0, "dead": []}
    assert attempts == [("a", 1)]


def test_a_late_success_withdraws_the_dead_letter_of_a_failed_takeover(
    consumers: Callable[..., Consumer],
) -> None:
    """Attempt 1 stalls; the consumer that took the entry over fails attempt 2, the last, and
    dead-letters it; then attempt 1 succeeds. The handler did succeed: no dead letter stays."""
    attempts: list[tuple[str, int]] = []
    go_on = asyncio.Event()

    async def handle(name: str, message: Message) -> None:
        attempts.append((name, message.attempt))
        if name == "b":
            raise RuntimeError("b fails")
        await go_on.wait()

    a = consumers("a", handle)
    a.subscribe(max_attempts=2)
    a.run(a.fabric.publish(TOPIC, "job"))
    a.run(until(lambda: attempts == [("a", 1)]))

    b = consumers("b", handle)
    b.subscribe(max_attempts=2)
    failed = b.run(dead_letters(b.fabric, TOPIC))
    assert [d.payload["error"] for d in failed] == ["RuntimeError: b fails"]

    go_on.set()
    a.run(a.sub.close())  # lets the in-flight attempt finish
    assert a.run(settled(a.fabric)) == {"pending": 0, "dead": []}
    assert attempts == [("a", 1), ("b", 2)]


def test_an_attempt_whose_lease_was_taken_over_neither_retries_nor_takes_it_back(
    consumers: Callable[..., Consumer],
) -> None:
    """Attempt 1 stalls; another consumer runs attempt 2; attempt 1 then fails. The consumer
    that lost the lease leaves the entry to the one holding it (no second attempt 2, no
    heartbeat claiming it back), and that one's success settles it."""
    attempts: list[tuple[str, int]] = []
    a_fails = asyncio.Event()

    async def handle(name: str, message: Message) -> None:
        attempts.append((name, message.attempt))
        if name == "a" and message.attempt == 1:
            await a_fails.wait()
            raise RuntimeError("a fails late")

    b_goes_on = asyncio.Event()

    async def hold(name: str, message: Message) -> None:
        attempts.append((name, message.attempt))
        await b_goes_on.wait()

    a = consumers("a", handle)
    a.subscribe(max_attempts=3)
    a.run(a.fabric.publish(TOPIC, "job"))
    a.run(until(lambda: attempts == [("a", 1)]))

    b = consumers("b", hold)
    b.subscribe(max_attempts=3)
    b.run(until(lambda: attempts == [("a", 1), ("b", 2)]))  # b holds attempt 2; b stalls
    taken_over = b.run(pending_entries(b.fabric))

    a_fails.set()
    a.run(a.sub.close())  # a's failed attempt is handled to the end
    assert attempts == [("a", 1), ("b", 2)]
    assert a.run(pending_entries(a.fabric)) == taken_over  # still b's, attempt 2

    b_goes_on.set()
    b.run(b.sub.close())
    assert b.run(settled(b.fabric)) == {"pending": 0, "dead": []}
    assert attempts == [("a", 1), ("b", 2)]


def test_entries_fetched_but_not_started_before_a_stall_are_left_to_the_consumer_holding_them(
    consumers: Callable[..., Consumer],
) -> None:
    """One read fetches two entries; the first attempt stalls; another consumer takes both over
    and handles them. When the stall ends, the second entry is not run again as attempt 1."""
    attempts: list[tuple[str, str, int]] = []
    go_on = asyncio.Event()

    async def handle(name: str, message: Message) -> None:
        attempts.append((name, message.payload, message.attempt))
        if name == "a":
            await go_on.wait()

    a = consumers("a", handle)
    a.run(a.fabric.redis.xgroup_create(a.fabric.key(TOPIC), "workers", id="$", mkstream=True))
    a.run(a.fabric.publish(TOPIC, "first"))
    a.run(a.fabric.publish(TOPIC, "second"))
    a.subscribe(max_attempts=3)  # reads both entries at once
    a.run(until(lambda: attempts == [("a", "first", 1)]))

    b = consumers("b", handle)
    b.subscribe(max_attempts=3)
    taken = [("a", "first", 1), ("b", "first", 2), ("b", "second", 2)]
    b.run(until(lambda: sorted(attempts) == taken))
    b.run(b.sub.close())

    go_on.set()
    a.run(a.sub.close())  # the stalled read's batch is handled to the end
    assert sorted(attempts) == taken
    assert a.run(settled(a.fabric)) == {"pending": 0, "dead": []}
