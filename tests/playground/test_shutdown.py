"""The Playground never holds a server up: on a graceful shutdown (uvicorn on SIGTERM or
Ctrl-C) its open event streams end and its paused requests resume, so the server stops with
a Playground page open; the lifespan shutdown does the same in-process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from gati.playground.shutdown import SIGNALS, ShutdownWatch
from gati.testing import AsyncTestClient, live_server
from tests.playground.apps import make_app
from tests.playground.test_gates import add_gate, paused_once
from tests.playground.test_playground_e2e import next_event

ROOT = Path(__file__).resolve().parents[2]
# a bound on a hang, not a timing: without the watch the server waits for the stream forever
STOPS_WITHIN = 20.0


def _serve() -> Any:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "uvicorn", "tests.playground.e2e_app:app", "--port", "{port}"]
    env = {**os.environ, "PYTHONPATH": path}
    return live_server(command, cwd=ROOT, env=env, probe="/state")


async def _stop_with_stream_open(base: str, proc: subprocess.Popen[bytes], sig: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=STOPS_WITHIN) as client:
        gate = {"route": "GET /state", "hook": "tag_user", "when": "after"}
        assert (await client.post("/_gati/api/gates", json=gate)).status_code == 201
        async with client.stream("GET", "/_gati/api/events") as stream:
            lines = stream.aiter_lines()
            assert await anext(lines) == ": connected"
            pending = asyncio.create_task(client.get("/state", headers={"x-user": "ann"}))
            await next_event(lines, "paused")  # a request waits at the gate (60 s timeout)
            proc.send_signal(sig)
            async for _ in lines:  # the stream ends
                pass
        response = await pending  # the paused request resumed
        assert response.status_code == 200 and response.json() == {"user": "ann"}


@pytest.mark.e2e
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_real_server_stops_with_a_playground_stream_open(sig: int) -> None:
    with _serve() as live:
        # bounded as a whole: the stream's pings (every 15 s) would keep each read alive
        stopping = _stop_with_stream_open(live.url, live.proc, sig)
        asyncio.run(asyncio.wait_for(stopping, 2 * STOPS_WITHIN))
        # uvicorn finishes its graceful shutdown, then raises the signal it caught again
        assert live.proc.wait(timeout=STOPS_WITHIN) in (0, -sig)


async def test_the_lifespan_shutdown_ends_streams_and_resumes_paused_requests() -> None:
    app = make_app()
    playground = app.playground
    async with AsyncTestClient(app) as client:
        stream = playground.feed.stream()
        assert await anext(stream) == b": connected\n\n"
        await add_gate(client, route="GET /state", hook="tag_user")
        pending = asyncio.create_task(client.get("/state"))
        await paused_once(client)
        await playground.shutdown.stop()
        assert [m async for m in stream] == []  # ended
        assert (await pending).status_code == 200
        late = playground.feed.stream()  # a stream opened while stopped ends at once
        assert [m async for m in late] == [b": connected\n\n"]
        await playground.start()  # started again: streams stay open
        again = playground.feed.stream()
        await anext(again)
        playground.feed.publish("request", {"id": "x"})
        assert await anext(again) == b'event: request\ndata: {"id":"x"}\n\n'
        await again.aclose()


async def test_the_watch_chains_onto_the_servers_handlers_and_puts_them_back() -> None:
    seen: list[str] = []
    before = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def servers(signum: int, frame: Any) -> None:
        seen.append(f"server {signum}")

    try:
        signal.signal(signal.SIGTERM, servers)
        watch = ShutdownWatch(lambda: seen.append("let go"))
        await watch.start()
        assert signal.getsignal(signal.SIGTERM) is not servers
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(0)  # on_exit runs in the loop
        await asyncio.sleep(0)
        assert seen == [f"server {int(signal.SIGTERM)}", "let go"]
        await watch.stop()
        assert signal.getsignal(signal.SIGTERM) is servers
        assert seen[-1] == "let go"
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_a_server_off_the_main_thread_stops_with_a_playground_stream_open() -> None:
    """No signal reaches a server running in a thread of its own: its owner sets
    ``should_exit``. The stream sees uvicorn ask its connection to close, and lets go."""
    import threading

    import uvicorn

    config = uvicorn.Config(make_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started:
                break
            thread.join(0.01)
        assert server.started
        port = server.servers[0].sockets[0].getsockname()[1]

        async def scenario() -> None:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=STOPS_WITHIN
            ) as client:
                await add_gate(client, route="GET /state", hook="tag_user", when="after")
                async with client.stream("GET", "/_gati/api/events") as stream:
                    lines = stream.aiter_lines()
                    assert await anext(lines) == ": connected"
                    pending = asyncio.create_task(client.get("/state", headers={"x-user": "bo"}))
                    await next_event(lines, "paused")  # waits at the gate (60 s timeout)
                    server.should_exit = True

                    async def drain() -> None:
                        async for _ in lines:
                            pass

                    await asyncio.wait_for(drain(), STOPS_WITHIN)  # the stream ends
                response = await asyncio.wait_for(pending, STOPS_WITHIN)  # resumed
                assert response.status_code == 200 and response.json() == {"user": "bo"}

        asyncio.run(scenario())
        thread.join(STOPS_WITHIN)
        assert not thread.is_alive()  # the server finished its graceful shutdown
    finally:
        server.should_exit = True
        thread.join(STOPS_WITHIN)
