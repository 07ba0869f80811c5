"""``RingBuffer``, native against pure (Hypothesis): the same records kept, numbered, found and
listed after any sequence of adds and lookups; ``announce`` called with each record kept; the
buffer as a record's ``keep``; GC of cycles through it."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import LocalContext, Response
from gati._backend import pair
from gati.http.ingress import new_ingress

native_ring, pure_ring = pair("RingBuffer")
native_core, pure_core = pair("RecordCore")
RINGS = pytest.mark.parametrize("ring", [native_ring, pure_ring], ids=["native", "pure"])
TWINS = pytest.mark.parametrize(
    ("ring", "core"), [(native_ring, native_core), (pure_ring, pure_core)], ids=["native", "pure"]
)


class Item:
    def __init__(self, size: int) -> None:
        self.size = size
        self.id = 0


IDS = st.one_of(
    st.integers(-2, 40),
    st.integers(-2, 40).map(str),
    st.sampled_from(["", "x", "1.0", "٣", "9" * 25, None, 2.0, True]),
)
# ints past 64 bits either way: a size past every bound is not kept, a negative one refused,
# and a huge ``newest`` limit lists everything (they are saturated natively)
HUGE = st.sampled_from([2**63, 2**80, -(2**63) - 1, -(2**80)])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.one_of(st.integers(-2, 60), HUGE)),
        st.tuples(st.just("get"), IDS),
        st.tuples(st.just("newest"), st.one_of(st.integers(-2, 12), HUGE)),
    ),
    max_size=60,
)
BOUNDS = st.one_of(st.integers(-2, 10), st.just("5"), st.just(2**70), st.none())


def run(ring_type: Any, bounds: tuple[Any, Any], ops: list[tuple[str, Any]]) -> list[Any]:
    """What a buffer of ``ring_type`` answers to ``ops``: ids and sizes, never identities."""
    try:
        ring = ring_type(*bounds)
    except ValueError as exc:
        return [("refused", str(exc))]
    announced: list[int] = []
    ring.announce = lambda item: announced.append(item.id)
    out: list[Any] = []
    for op, arg in ops:
        if op == "add":
            item = Item(arg)
            try:
                out.append((ring.add(item), item.id))
            except ValueError as exc:
                out.append(("refused", str(exc), item.id))
        elif op == "get":
            found = ring.get(arg)
            out.append(None if found is None else (found.id, found.size))
        else:
            out.append([(r.id, r.size) for r in ring.newest(arg)])
        out.append((len(ring), ring.bytes, [r.id for r in ring]))
    return [*out, announced, ring.max_records, ring.max_bytes]


@given(bounds=st.tuples(BOUNDS, BOUNDS), ops=OPS)
@settings(max_examples=300, deadline=None)
def test_native_and_pure_buffers_answer_alike(bounds: tuple[Any, Any], ops: list[Any]) -> None:
    assert run(native_ring, bounds, ops) == run(pure_ring, bounds, ops)


@given(st.integers(1, 6), st.integers(1, 100), st.lists(st.integers(1, 50), max_size=40))
def test_both_bounds_hold_on_both_backends(
    max_records: int, max_bytes: int, sizes: list[int]
) -> None:
    for ring_type in (native_ring, pure_ring):
        ring = ring_type(max_records, max_bytes)
        for size in sizes:
            ring.add(Item(size))
            assert len(ring) <= max_records and ring.bytes <= max_bytes
            assert ring.bytes == sum(r.size for r in ring)


@TWINS
def test_the_buffer_is_a_records_keep(ring: Any, core: Any) -> None:
    buffer = ring(3, 10_000)
    announced: list[Any] = []
    buffer.announce = announced.append
    for i in range(5):
        lctx = LocalContext(f"r{i}", method="GET", path="/", route="/")
        record = core({"headers": []}, new_ingress(), lctx, Response().send(b"ok"), buffer)
        assert record.id == 0  # not kept yet
        record.end(("request.end", 1, None, 0, 1, None, None))
        assert record.id == i + 1 and buffer.get(i + 1) is record
    assert [r.id for r in buffer] == [3, 4, 5] and [r.id for r in announced] == [1, 2, 3, 4, 5]
    buffer.announce = None
    assert buffer(Item(1)) is True and len(announced) == 5  # calling it adds


@RINGS
def test_a_buffer_in_a_cycle_is_collected(ring: Any) -> None:
    buffer = ring(4, 100)
    item = Item(1)
    item.buffer = buffer  # type: ignore[attr-defined]  # a cycle: buffer → item → buffer
    buffer.add(item)
    buffer.announce = lambda record, buffer=buffer: None  # another, through announce
    gone = weakref.ref(item)
    del buffer, item
    gc.collect()
    assert gone() is None
