"""The live feed: events reach every open stream, idle streams get pings, a stream that
falls behind loses events instead of slowing requests down."""

from __future__ import annotations

import asyncio
import json

from gati.playground.sse import Broadcaster


async def test_events_reach_every_open_stream_in_order() -> None:
    feed = Broadcaster()
    assert not feed.listening
    feed.publish("request", {"id": "lost"})  # nobody listens: dropped, no error
    streams = [feed.stream(), feed.stream()]
    for stream in streams:
        assert await anext(stream) == b": connected\n\n"
    assert feed.listening
    feed.publish("request", {"id": "1"})
    feed.publish("resumed", {"pause_id": "p1"})
    for stream in streams:
        first, second = await anext(stream), await anext(stream)
        assert first == b'event: request\ndata: {"id":"1"}\n\n'
        assert second.startswith(b"event: resumed\ndata: ")
        assert json.loads(second.split(b"data: ")[1]) == {"pause_id": "p1"}
        await stream.aclose()
    assert not feed.listening


async def test_an_idle_stream_gets_a_ping_comment() -> None:
    feed = Broadcaster(ping_every=0.01)
    stream = feed.stream()
    await anext(stream)
    assert await anext(stream) == b": ping\n\n"
    await stream.aclose()


async def test_a_stream_that_falls_behind_loses_events_not_requests() -> None:
    feed = Broadcaster()
    stream = feed.stream()
    await anext(stream)
    for i in range(5000):
        feed.publish("request", {"id": str(i)})  # never blocks
    got = [await anext(stream) for _ in range(1000)]
    assert got[0] == b'event: request\ndata: {"id":"0"}\n\n'
    feed.publish("request", {"id": "new"})
    assert await asyncio.wait_for(anext(stream), 1) == b'event: request\ndata: {"id":"new"}\n\n'
    await stream.aclose()
