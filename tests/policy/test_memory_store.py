"""MemoryStore: exact GCRA per key, bounded however many keys arrive."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gati.policy.memory import MemoryStore
from gati.policy.rate import MICROS, gcra

# The inputs of the Property 34 differentials: a burst, an emission interval (µs), and steps of
# (µs since the previous request, the request's cost).
bursts = st.integers(1, 30)
emissions = st.integers(1, 10 * MICROS)


def gcra_steps(max_size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(
        st.tuples(st.integers(0, 2 * MICROS), st.integers(1, 30)), min_size=1, max_size=max_size
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def test_each_key_has_its_own_bucket() -> None:
    store = MemoryStore(clock=Clock())
    assert [store.take("a", MICROS, 2, 1)[0] for _ in range(3)] == [True, True, False]
    assert store.take("b", MICROS, 2, 1)[0]


def test_a_refused_request_does_not_use_up_capacity() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    store.take("a", MICROS, 1, 1)
    for _ in range(5):
        assert not store.take("a", MICROS, 1, 1)[0]
    clock.now = MICROS
    assert store.take("a", MICROS, 1, 1)[0]


def test_idle_keys_are_swept_so_a_flood_of_clients_stays_bounded() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock, max_keys=5000)
    for i in range(100_000):
        clock.now += 10  # each key is full again 1 ms later (emission 1 ms, burst 1)
        store.take(f"ip:{i}", 1000, 1, 1)
    assert len(store) <= 2048
    assert store.evicted == 0


def test_a_flood_of_active_keys_is_capped_at_max_keys() -> None:
    store = MemoryStore(clock=Clock(), max_keys=1000)
    for i in range(20_000):
        store.take(f"ip:{i}", MICROS, 1, 1)
    assert len(store) <= 1000
    assert store.evicted >= 19_000


async def test_the_async_interface_decides_the_same() -> None:
    store = MemoryStore(clock=Clock())
    first = await store.acquire("k", MICROS, 1, 1)
    second = await store.acquire("k", MICROS, 1, 1)
    assert first[0] and not second[0]
    await store.close()


@settings(max_examples=200, deadline=None)
@given(bursts, emissions, gcra_steps(60))
def test_property_34_the_memory_store_decides_as_rate_gcra(
    burst: int, emission: int, steps: list[tuple[int, int]]
) -> None:
    """Property 34, differential: MemoryStore's inlined GCRA equals the reference function."""
    clock = Clock()
    store = MemoryStore(clock=clock)
    tat = None
    for gap, cost in steps:
        clock.now += gap
        cost = min(cost, burst)
        expected = gcra(tat, clock.now, emission, burst, cost)
        assert store.take("k", emission, burst, cost) == expected
        tat = expected[4]


@settings(max_examples=150, deadline=None)
@given(bursts, emissions, gcra_steps(40))
def test_property_34_the_limiter_step_decides_as_rate_gcra(
    burst: int, emission: int, steps: list[tuple[int, int]]
) -> None:
    """Property 34, differential: the rate-limit step's inline GCRA on a ``MemoryStore``
    (the request path) equals the reference function: same verdict, same headers, same TAT."""
    import asyncio
    from types import SimpleNamespace

    from gati.http.errors import HTTPError
    from gati.policy import ratelimit
    from gati.policy.rate import Rate

    now = [10**12]
    saved = ratelimit._monotonic_ns
    ratelimit._monotonic_ns = lambda: now[0] * 1000
    try:
        store = MemoryStore()
        tat = None
        for gap, cost in steps:
            now[0] += gap
            cost = min(cost, burst)
            rate = Rate(1, 1, burst, cost)
            step = ratelimit.RateLimit(rate, store, scope="s")
            step._emission, step._cost_us, step._burst_us = (
                emission,
                cost * emission,
                burst * emission,
            )
            expected = gcra(tat, now[0], emission, burst, cost)
            res = SimpleNamespace(headers=[])
            lctx = SimpleNamespace(meta=SimpleNamespace(principal=None, client=("1.2.3.4", "")))
            try:
                asyncio.run(step(None, res, lctx, None))
                allowed = True
            except HTTPError as exc:
                assert exc.status == 429
                allowed = False
            assert allowed == expected[0]
            if allowed:
                headers = dict(res.headers)
                assert headers[b"ratelimit-remaining"] == b"%d" % expected[1]
                assert headers[b"ratelimit-reset"] == b"%d" % -(-expected[2] // MICROS)
                tat = expected[4]
            assert store._tats["s|ip:1.2.3.4"] == tat
    finally:
        ratelimit._monotonic_ns = saved
