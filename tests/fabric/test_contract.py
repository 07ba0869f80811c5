"""The fabric contract: every test runs against MemoryFabric and RedisFabric (real Redis)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gati import ValidationError, gt
from gati.fabric import BackpressureError, Fabric, Message
from tests.fabric.conftest import Gate, dead_letters, held_gate, until


async def test_every_group_and_every_ungrouped_subscriber_gets_every_message_property_31(
    fabric: Fabric,
) -> None:
    """Property 31: global pub/sub reaches every subscriber; a group's consumers share."""
    g1_a: list[int] = []
    g1_b: list[int] = []
    g2: list[int] = []
    solo: list[int] = []
    await fabric.subscribe("orders", lambda m: g1_a.append(m.payload), group="billing")
    await fabric.subscribe("orders", lambda m: g1_b.append(m.payload), group="billing")
    await fabric.subscribe("orders", lambda m: g2.append(m.payload), group="shipping")
    await fabric.subscribe("orders", lambda m: solo.append(m.payload))
    for i in range(40):
        await fabric.publish("orders", i)
    await until(lambda: len(g1_a) + len(g1_b) == 40 and len(g2) == 40 and len(solo) == 40)
    assert sorted(g1_a + g1_b) == list(range(40))
    assert sorted(g2) == sorted(solo) == list(range(40))


async def test_a_group_made_after_a_publish_does_not_get_it(fabric: Fabric) -> None:
    await fabric.publish("late", "before")
    seen: list[str] = []
    await fabric.subscribe("late", lambda m: seen.append(m.payload), group="g")
    await fabric.publish("late", "after")
    await until(lambda: seen == ["after"])


async def test_a_failing_subscriber_gets_the_message_again_then_it_is_dead_lettered(
    fabric: Fabric,
) -> None:
    attempts: list[int] = []
    others: list[int] = []

    def fail(message: Message) -> None:
        attempts.append(message.attempt)
        raise RuntimeError(f"cannot handle {message.payload}")

    await fabric.subscribe("jobs", fail, group="workers", max_attempts=3)
    await fabric.subscribe("jobs", lambda m: others.append(m.attempt), group="audit")
    mid = await fabric.publish("jobs", {"n": 1}, headers={"traceparent": "00-abc-def-01"})
    await until(lambda: len(attempts) == 3 and others == [1])
    dead = await dead_letters(fabric, "jobs")
    assert attempts == [1, 2, 3]
    assert others == [1]  # only the failing group got it again
    entry = dead[0].payload
    assert entry["id"] == mid and entry["group"] == "workers" and entry["attempts"] == 3
    assert entry["payload"] == {"n": 1}
    assert entry["error"] == "RuntimeError: cannot handle {'n': 1}"
    assert dead[0].headers == {"traceparent": "00-abc-def-01"}


async def test_a_subscriber_that_recovers_is_not_dead_lettered(fabric: Fabric) -> None:
    attempts: list[int] = []

    def flaky(message: Message) -> None:
        attempts.append(message.attempt)
        if message.attempt < 3:
            raise RuntimeError("not yet")

    await fabric.subscribe("flaky", flaky, max_attempts=5)
    await fabric.publish("flaky", 1)
    await until(lambda: attempts == [1, 2, 3])
    await asyncio.sleep(0.05)
    assert attempts == [1, 2, 3]
    assert await fabric.dead_letters("flaky") == []


async def test_the_dead_letter_topic_is_a_topic_like_any_other(fabric: Fabric) -> None:
    dead: list[Any] = []
    await fabric.subscribe("mail.dead", lambda m: dead.append(m.payload["payload"]))
    await fabric.subscribe("mail", lambda m: 1 / 0, max_attempts=1)
    await fabric.publish("mail", "hello")
    await until(lambda: dead == ["hello"])


async def test_a_schema_on_the_dead_letter_topic_never_loses_a_dead_letter(fabric: Fabric) -> None:
    # a schema its own dead letters cannot pass: they are gati's, so they are written anyway
    fabric.topic("orders.dead", schema=gt.object({"order": gt.integer()}))
    await fabric.subscribe("orders", lambda m: 1 / 0, max_attempts=1)
    await fabric.publish("orders", {"order": 7})
    dead = await dead_letters(fabric, "orders")
    assert dead[0].payload["payload"] == {"order": 7}
    with pytest.raises(ValidationError):  # a publish of its own is still checked
        await fabric.publish("orders.dead", {"order": "seven"})


async def test_a_dedupe_key_delivers_once_within_the_window(fabric: Fabric) -> None:
    seen: list[Any] = []
    await fabric.subscribe("pay", lambda m: seen.append(m.payload))
    first = await fabric.publish("pay", "a", dedupe_key="k1")
    again = await fabric.publish("pay", "a-again", dedupe_key="k1")
    other = await fabric.publish("pay", "b", dedupe_key="k2")
    assert first is not None and other is not None and again is None
    await until(lambda: len(seen) == 2)
    assert seen == ["a", "b"]


async def test_a_dedupe_key_is_forgotten_after_the_window(fabric: Fabric) -> None:
    fabric.topic("short", dedupe_window=0.05)
    assert await fabric.publish("short", 1, dedupe_key="k") is not None
    await asyncio.sleep(0.1)
    assert await fabric.publish("short", 2, dedupe_key="k") is not None


async def test_an_expired_message_is_not_delivered(fabric: Fabric) -> None:
    gate = await held_gate(fabric, "ttl", "held")
    await fabric.publish("ttl", "expires", ttl=0.02)
    await fabric.publish("ttl", "stays")
    await asyncio.sleep(0.1)
    gate.open.set()
    await until(lambda: gate.seen[-1] == "stays")
    assert gate.seen == ["held", "stays"]


async def test_a_topic_schema_validates_payloads(fabric: Fabric) -> None:
    fabric.topic("typed", schema=gt.object({"id": gt.integer()}))
    seen: list[Any] = []
    await fabric.subscribe("typed", lambda m: seen.append(m.payload))
    with pytest.raises(ValidationError):
        await fabric.publish("typed", {"id": "seven"})
    await fabric.publish("typed", {"id": 7})
    await until(lambda: seen == [{"id": 7}])


async def test_payloads_and_headers_cross_unchanged(fabric: Fabric) -> None:
    payload = {"s": "é\n", "n": [1, 2.5, None, True], "o": {"k": {}}}
    got: list[Message] = []
    await fabric.subscribe("json", got.append)
    mid = await fabric.publish("json", payload, headers={"tracestate": "a=b"})
    await until(lambda: len(got) == 1)
    assert got[0].payload == payload and got[0].headers == {"tracestate": "a=b"}
    assert got[0].id == mid and got[0].topic == "json" and got[0].attempt == 1


async def test_reject_raises_backpressure_once_the_group_is_full_property_43(
    fabric: Fabric,
) -> None:
    """Property 43: a bounded queue under ``reject`` refuses publishes once full."""
    fabric.topic("r", maxlen=3, policy="reject")
    gate = await held_gate(fabric, "r", 0)
    accepted = 1
    with pytest.raises(BackpressureError) as info:
        for i in range(1, 20):
            await fabric.publish("r", i)
            accepted += 1
    assert 3 <= accepted <= 4  # maxlen queued (+ the one in flight, on memory)
    assert info.value.status == 503 and info.value.headers["Retry-After"] == "1"
    gate.open.set()
    await until(lambda: len(gate.seen) == accepted)
    assert gate.seen == list(range(accepted))


async def test_block_waits_for_room_then_gives_up_property_43(fabric: Fabric) -> None:
    """Property 43: ``block`` waits up to its timeout, then raises; room lets it through."""
    fabric.topic("b", maxlen=2, policy="block", publish_timeout=0.05)
    gate = Gate()
    await fabric.subscribe("b", gate, group="g")
    with pytest.raises(BackpressureError):
        for i in range(10):
            await fabric.publish("b", i)
    waiting = asyncio.ensure_future(fabric.publish("b", "late", timeout=10.0))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    gate.open.set()
    assert await waiting is not None
    await until(lambda: "late" in gate.seen)


async def test_drop_oldest_never_blocks_and_keeps_the_newest_property_43(
    fabric: Fabric,
) -> None:
    """Property 43: ``drop_oldest`` keeps publishing and delivers the newest messages."""
    fabric.topic("d", maxlen=3, policy="drop_oldest")
    gate = await held_gate(fabric, "d", 0)
    for i in range(1, 30):
        await fabric.publish("d", i)
    gate.open.set()
    await until(lambda: gate.seen[-1] == 29)
    assert gate.seen[-3:] == [27, 28, 29]
    assert gate.seen == sorted(gate.seen)


async def test_a_full_or_unconsumed_topic_never_blocks_another_topic(fabric: Fabric) -> None:
    fabric.topic("stuck", maxlen=1, policy="block", publish_timeout=30.0)
    stuck = await held_gate(fabric, "stuck", 0)
    publishers = [asyncio.ensure_future(fabric.publish("stuck", i)) for i in (1, 2)]
    for i in range(50):  # a topic nobody consumes
        await fabric.publish("nobody", i)
    fast: list[int] = []
    await fabric.subscribe("fast", lambda m: fast.append(m.payload))
    for i in range(20):
        await fabric.publish("fast", i)
    await until(lambda: fast == list(range(20)))
    assert not publishers[1].done()  # "stuck" is still full
    stuck.open.set()
    await asyncio.gather(*publishers)
    await until(lambda: sorted(stuck.seen) == [0, 1, 2])


async def test_a_consumer_stopped_mid_message_hands_it_to_another(fabric: Fabric) -> None:
    first = Gate()
    sub = await fabric.subscribe("handoff", first, group="g")
    await fabric.publish("handoff", "job")
    await until(lambda: first.seen == ["job"])
    await sub.close(timeout=0)  # the handler never finished: no ack
    second: list[Message] = []
    await fabric.subscribe("handoff", second.append, group="g")
    await until(lambda: len(second) == 1)
    assert second[0].payload == "job" and second[0].attempt == 2


async def test_a_closed_subscriber_gets_nothing_more(fabric: Fabric) -> None:
    seen: list[int] = []
    sub = await fabric.subscribe("bye", lambda m: seen.append(m.payload))
    await fabric.publish("bye", 1)
    await until(lambda: seen == [1])
    await sub.close()
    await fabric.publish("bye", 2)
    await asyncio.sleep(0.05)
    assert seen == [1]


async def test_depth_counts_what_a_group_has_not_acknowledged(fabric: Fabric) -> None:
    gate = await held_gate(fabric, "deep", 0)
    for i in range(1, 5):
        await fabric.publish("deep", i)
    assert await fabric.depth("deep", "g") == 5
    gate.open.set()
    await until(lambda: len(gate.seen) == 5)
    await asyncio.sleep(0.05)
    assert await fabric.depth("deep", "g") == 0


async def test_a_handler_slower_than_the_visibility_timeout_is_not_taken_over(
    fabric: Fabric,
) -> None:
    runs: list[int] = []

    async def slow(message: Message) -> None:
        runs.append(message.attempt)
        await asyncio.sleep(1.5)  # three visibility timeouts on the Redis fixture

    await fabric.subscribe("slow", slow, group="g")
    await fabric.subscribe("slow", slow, group="g")
    await fabric.publish("slow", "long job")
    await until(lambda: len(runs) == 1)
    await asyncio.sleep(2.0)
    assert runs == [1]


async def test_concurrency_runs_that_many_messages_at_once(fabric: Fabric) -> None:
    gate = Gate()
    await fabric.subscribe("par", gate, group="g", concurrency=3)
    for i in range(3):
        await fabric.publish("par", i)
    await until(lambda: sorted(gate.seen) == [0, 1, 2])  # all three held at the same time
    gate.open.set()


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (print, None),  # no introspectable signature problem: accepted
        ("bill", r"subscribe\(\) takes a callable fn\(message\), not str"),
        (lambda: None, r"must accept one positional argument \(message\)"),
        (lambda message, extra: None, r"must accept one positional argument \(message\)"),
    ],
)
async def test_a_subscriber_that_cannot_take_a_message_is_refused_when_subscribing(
    fabric: Fabric, fn: Any, message: str | None
) -> None:
    # accepted, each message failed every attempt and ended in the dead letters
    if message is None:
        await (await fabric.subscribe("calls", fn)).close()
        return
    with pytest.raises(TypeError, match=message):
        await fabric.subscribe("calls", fn, group="g")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"maxlen": 2.5}, ValueError, r"maxlen must be an int >= 1, not 2.5"),
        ({"maxlen": "5"}, ValueError, r"maxlen must be an int >= 1, not '5'"),
        ({"publish_timeout": "1"}, TypeError, r"publish_timeout and dedupe_window are numbers"),
    ],
)
def test_topic_settings_of_the_wrong_type_are_refused(
    fabric: Fabric, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        fabric.topic("typed", **options)
    with pytest.raises(TypeError, match="a topic name is a string, not 5"):
        fabric.topic(5)  # type: ignore[arg-type]
