"""The ring buffer: bounded by count and by bytes, even under a flood of requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gati import App, LocalContext, Response
from gati.http.ingress import new_ingress
from gati.playground.buffer import RingBuffer
from gati.playground.record import Record


@dataclass
class Item:
    size: int
    id: int = 0


@given(st.lists(st.integers(1, 50), max_size=60), st.integers(1, 8), st.integers(1, 120))
def test_the_buffer_keeps_the_newest_within_both_bounds(
    sizes: list[int], max_records: int, max_bytes: int
) -> None:
    buffer: RingBuffer = RingBuffer(max_records, max_bytes)
    kept: list[Item] = []
    for size in sizes:
        item = Item(size)
        if buffer.add(item):
            kept.append(item)
            assert item.id == len(kept)  # numbered as kept
            assert buffer.get(item.id) is item and buffer.get(str(item.id)) is item
        assert len(buffer) <= max_records
        assert buffer.bytes <= max_bytes
        assert buffer.bytes == sum(x.size for x in buffer)
    survivors = list(buffer)
    assert survivors == kept[len(kept) - len(survivors) :]  # the newest, in order
    assert buffer.newest(3) == survivors[::-1][:3]
    for item in kept[: len(kept) - len(survivors)]:
        assert buffer.get(item.id) is None


def test_a_record_bigger_than_the_byte_bound_is_not_kept() -> None:
    buffer: RingBuffer = RingBuffer(10, 100)
    assert buffer.add(Item(60))
    assert not buffer.add(Item(101))
    assert [x.size for x in buffer] == [60]


@pytest.mark.parametrize("unknown", [0, 4, "0", "4", "x", "-1", "1.0", "9" * 30, None])
def test_unknown_ids_find_nothing(unknown: Any) -> None:
    buffer: RingBuffer = RingBuffer(2, 100)
    for size in (1, 2, 3):
        buffer.add(Item(size))  # 1 is evicted, 2 and 3 kept
    assert buffer.get(unknown) is None
    assert buffer.get("3") is buffer.get(3) is list(buffer)[-1]


@pytest.mark.parametrize("bounds", [(0, 10), (10, 0), ("5", 10)])
def test_bad_bounds_are_refused(bounds: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError):
        RingBuffer(*bounds)


def record(i: int, n: int, keep: Any) -> None:
    """A recorded request with ``n`` bytes of response body and state, handed to ``keep``."""
    lctx = LocalContext(f"r{i}", method="POST", path=f"/blob/{n}", route="/blob/{n:int}")
    res = Response().send(b"y" * n, "text/plain")
    scope = {"headers": [(b"content-length", b"%d" % (n // 3))], "query_string": b""}
    made = Record(scope, new_ingress(), lctx, res, keep)
    made.request_body = b"z" * (n // 3)
    made.append(("request.start", 0, None, 0, None, None, None))
    made.append(("handler.start", 1, None, 0, None, None, None))
    lctx.state.set("blob", "x" * n)
    state = lctx.state_if_made.snapshot()
    made.append(("handler.end", 2, None, 0, 1, None, state))
    made.end(("request.end", 3, None, 0, 3, None, None))


def test_a_flood_of_100_000_records_keeps_the_buffer_within_its_byte_bound() -> None:
    max_bytes = 256 * 1024
    pg = App(playground=True, playground_buffer=(50_000, max_bytes)).playground
    for i in range(1, 100_001):
        record(i, (i * 7919) % 3000, pg.buffer)
        assert pg.buffer.bytes <= max_bytes
    assert pg.buffer.bytes == sum(r.size for r in pg.buffer)
    assert 10 < len(pg.buffer) < 50_000  # the byte bound, not the count, limits here
    assert list(pg.buffer)[-1].id == 100_000


def test_a_flood_of_real_requests_keeps_the_buffer_within_its_byte_bound() -> None:
    max_bytes = 64 * 1024
    app = App(playground=True, playground_buffer=(50_000, max_bytes), health_paths=None)

    @app.post("/blob/{n:int}")
    async def blob(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        n = req.path_params["n"]
        lctx.state.set("n", "x" * n)
        res.send(b"y" * n, "text/plain")

    buffer = app.playground.buffer

    async def flood() -> None:
        async def send(message: dict[str, Any]) -> None:
            pass

        for i in range(5_000):
            n = (i * 7919) % 3000
            body = b"z" * (n // 3)

            async def receive(body: bytes = body) -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            scope = {
                "type": "http",
                "method": "POST",
                "path": f"/blob/{n}",
                "query_string": b"",
                "headers": [(b"content-length", b"%d" % len(body))],
                "client": ("127.0.0.1", 1),
            }
            await app(scope, receive, send)
            assert buffer.bytes <= max_bytes

    asyncio.run(flood())
    assert buffer.bytes == sum(r.size for r in buffer)
    for kept in buffer:
        held = len(kept.response_body) + len(kept.request_body or b"")
        assert kept.size > held + int(kept.path.split("/")[-1])  # bodies and state counted
    assert list(buffer)[-1].id == 5000
