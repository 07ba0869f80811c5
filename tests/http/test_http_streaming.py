"""Streamed bodies: ``res.stream``, ``res.sse``, ``res.file``; cleanup after the last byte or
on disconnect; a disconnect closes the producer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gati import App, ServerSentEvent
from gati.testing import AsyncTestClient, TestClient
from tests.http.conftest import call_raw
from tests.http.sse_ticks import ticks


def test_cleanup_runs_after_the_last_streamed_byte() -> None:
    app = App()
    order: list[str] = []

    @app.get("/s")
    async def stream(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.on_cleanup(lambda: order.append("cleanup"))
        lctx.defer(order.append, "deferred")

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"a", b"b", b"c"):
                order.append(part.decode())
                yield part

        res.header("X-Kind", "stream").stream(chunks(), media_type="text/plain")

    r = TestClient(app).get("/s")
    assert (r.status_code, r.text, r.headers["x-kind"]) == (200, "abc", "stream")
    assert r.headers["content-type"].startswith("text/plain")
    assert "x-request-id" in r.headers
    assert order == ["a", "b", "c", "cleanup", "deferred"]


def test_a_sync_iterable_is_iterated_off_the_event_loop_and_closed() -> None:
    """As Starlette does: a blocking sync generator must not stall the loop (it did, and an
    endless one never let the loop see the client leave)."""
    app = App()
    threads: list[int] = []
    closed: list[str] = []

    @app.get("/s")
    async def stream(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        threads.append(threading.get_ident())

        def chunks() -> Iterator[bytes]:
            try:
                for part in (b"a", b"b"):
                    threads.append(threading.get_ident())
                    yield part
            finally:
                closed.append("closed")

        res.stream(chunks(), media_type="text/plain")

    assert TestClient(app).get("/s").text == "ab"
    loop_thread, *producer_threads = threads
    assert producer_threads and loop_thread not in producer_threads
    assert closed == ["closed"]


async def test_head_on_an_endless_stream_sends_the_headers_and_closes_the_stream() -> None:
    """HEAD follows GET; a stream's body is not sent, so it is not made either (iterated, an
    endless one never ended, nor did the request)."""
    app = App()
    seen: list[str] = []

    @app.get("/events")
    async def events(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.on_cleanup(lambda: seen.append("cleanup"))
        res.sse(ticks(0.01, lambda: seen.append("closed")))

    @app.get("/rows")
    async def rows(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.stream([b"a", b"b"], media_type="text/csv")

    r = await asyncio.wait_for(call_raw(app, "HEAD", "/events"), 5)
    assert (r.status, r.body) == (200, b"")
    assert r.headers["content-type"].startswith("text/event-stream")
    assert "x-request-id" in r.headers
    assert seen == ["cleanup"]
    r = await call_raw(app, "HEAD", "/rows")
    assert (r.status, r.body, r.headers["content-type"]) == (200, b"", "text/csv; charset=utf-8")
    async with AsyncTestClient(app) as client:  # GET still streams
        assert (await client.get("/rows")).content == b"ab"


async def test_a_disconnect_closes_the_iterator_and_runs_cleanup() -> None:
    app = App()
    seen: list[str] = []
    finished = asyncio.Event()

    @app.get("/events")
    async def events(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.on_cleanup(finished.set)

        res.sse(ticks(0.01, lambda: seen.append("closed")))

    sent: list[dict[str, Any]] = []
    disconnect = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if sum(1 for m in sent if m.get("body")) >= 2:
            disconnect.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/events",
        "raw_path": b"/events",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), 5)
    await asyncio.wait_for(finished.wait(), 5)
    assert seen == ["closed"]
    start = sent[0]
    assert dict(start["headers"])[b"content-type"].startswith(b"text/event-stream")
    assert sent[1]["body"] == b'event: tick\nid: 1\ndata: {"n":1}\n\n'


def test_sse_formats_events_and_pings_an_idle_stream() -> None:
    app = App()

    @app.get("/sse")
    async def sse(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        async def events() -> AsyncIterator[Any]:
            yield ServerSentEvent("line one\nline two", retry=3000)
            await asyncio.sleep(0.05)
            yield {"done": True}

        res.sse(events(), ping=0.01)

    text = TestClient(app).get("/sse").text
    assert text.startswith("retry: 3000\ndata: line one\ndata: line two\n\n")
    assert ": ping\n\n" in text
    assert text.endswith('data: {"done":true}\n\n')


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # refused by the encoder only once the stream had started
        ({"event": "tick\ndata: forged"}, "an SSE event is a string without line breaks"),
        ({"id": "7\r"}, "an SSE id is a string without line breaks"),
        # sent as "retry: -1", which browsers ignore
        ({"retry": -1}, r"an SSE retry is an int >= 0 \(milliseconds\), not -1"),
        ({"retry": 1.5}, r"an SSE retry is an int >= 0"),
    ],
)
def test_an_event_no_client_can_read_is_refused_where_it_is_made(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ServerSentEvent("x", **options)


def test_files_are_sent_with_etag_and_ranges(tmp_path: Path) -> None:
    app = App()
    path = tmp_path / "book.txt"
    path.write_bytes(b"0123456789")

    @app.get("/file")
    async def file(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.file(path, filename="book.txt")

    @app.get("/missing")
    async def missing(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.file(tmp_path / "nope.txt")

    client = TestClient(app)
    r = client.get("/file")
    assert (r.status_code, r.content) == (200, b"0123456789")
    assert r.headers["etag"] and 'filename="book.txt"' in r.headers["content-disposition"]
    r = client.get("/file", headers={"Range": "bytes=2-4"})
    assert (r.status_code, r.content) == (206, b"234")
    assert r.headers["content-range"] == "bytes 2-4/10"
    assert client.get("/file", headers={"Range": "bytes=20-30"}).status_code == 416
    r = client.get("/missing")
    assert (r.status_code, r.json()["detail"]) == (404, "file not found")


def test_headers_set_on_res_replace_those_of_a_delegated_response() -> None:
    app = App()

    @app.get("/csv")
    async def csv(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.header("Content-Type", "text/csv").stream([b"a,b\n"], media_type="text/plain")
        res.set_cookie("seen", "1")

    r = TestClient(app).get("/csv")
    assert r.headers.get_list("content-type") == ["text/csv"]
    assert r.headers["set-cookie"].startswith("seen=1")
    assert r.text == "a,b\n"
