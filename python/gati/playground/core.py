"""``Playground``: what ``App(playground=True)`` sets up: the recorder on the request path, the
ring buffer, the live feed, replay, the debug gates, and the ``/_gati`` mount serving them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from gati.playground import redact, timeline
from gati.playground.api import PlaygroundAPI
from gati.playground.buffer import RingBuffer
from gati.playground.record import Record, Step
from gati.playground.recorder import Recorder
from gati.playground.shutdown import ShutdownWatch
from gati.playground.sse import Broadcaster

__all__ = ["DEFAULT_BUFFER", "Playground", "set_up"]

DEFAULT_BUFFER = (500, 8 * 1024 * 1024)  # records, bytes
MOUNT = "/_gati"


class Playground:
    """The Playground of one app (one per process: gates and the buffer are in memory)."""

    def __init__(self, app: Any, *, buffer: tuple[int, int] = DEFAULT_BUFFER) -> None:
        max_records, max_bytes = _buffer_bounds(buffer)
        self.app = app
        self.buffer: RingBuffer = RingBuffer(max_records, max_bytes)
        self.feed = Broadcaster()
        self.traffic: Counter[tuple[str, str, str]] = Counter()  # (method, route, version)
        self.recorder = Recorder(self.buffer, self.traffic, self.feed)
        from gati.playground.gates import Gates

        self.gates = Gates(self)
        self.shutdown = ShutdownWatch(self.let_go)

    async def start(self) -> None:
        """Lifespan start-up: take event streams, and watch for the server stopping."""
        self.feed.open()
        await self.shutdown.start()

    def let_go(self) -> None:
        """The server is stopping: end the event streams, resume the paused requests."""
        self.feed.close()
        self.gates.release()

    def secrets(self) -> tuple[str, ...]:
        """The secret values to mask right now."""
        return redact.secret_values(self.app.gctx.secrets)

    def versions_of(self, record: Record) -> list[str]:
        """Every version ``record``'s route can be replayed against, oldest first."""
        if record.route_key is None:
            return []
        method, pattern = record.route_key
        if (method, pattern) not in self.app.timescape.routes():
            return []
        return [v.version for v in self.app.timescape.versions(method, pattern)]

    def record_json(self, record: Record) -> dict[str, Any]:
        """The full JSON form of ``record``, redacted."""
        return record.as_dict(self.secrets(), self.versions_of(record), self.timeline(record))

    def timeline(self, record: Record) -> list[Step]:
        """``record``'s timeline."""
        return timeline.build(record, self._hops(record))

    def _hops(self, record: Record) -> tuple[tuple[str, str], ...]:
        """The transformer hops ``record``'s version crosses (as its route is served now)."""
        ts = self.app.timescape
        if record.version is None or record.route_key is None:
            return ()
        method, pattern = record.route_key
        if (method, pattern) not in ts.routes():
            return ()
        try:
            return tuple(ts.resolve(method, pattern, record.version).hops)
        except Exception:  # the route's versions changed since: nothing to say
            return ()


def _buffer_bounds(buffer: Any) -> tuple[int, int]:
    try:
        max_records, max_bytes = buffer
    except (TypeError, ValueError):
        raise ValueError(f"playground_buffer is (max records, max bytes), not {buffer!r}") from None
    return max_records, max_bytes


def set_up(app: Any, token: str | None, buffer: tuple[int, int] = DEFAULT_BUFFER) -> Playground:
    """Turn the Playground on for ``app``: record its requests, serve ``/_gati``."""
    if token is not None and (not isinstance(token, str) or not token):
        raise ValueError("playground_token must be a non-empty string (or None)")
    playground = Playground(app, buffer=buffer)
    playground.recorder.attach(app)
    app.on_startup(playground.start)
    app.on_shutdown(playground.shutdown.stop)
    app.mount(MOUNT, PlaygroundAPI(playground, token))
    return playground
