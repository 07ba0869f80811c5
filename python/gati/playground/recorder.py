"""``Recorder``: turns requests into ``Record``s as a lifecycle tracer (``Emitter.trace``).

At each request's start the orchestrator asks the recorder for the request's ``Trace``: a new
``Record`` (made in one call), whose event list keeps the orchestrator's event tuples (each hook
boundary's carries the state store's O(1) snapshot: Property 44), closed in one call at
``request.end``, once the response is settled (an error response written; a delegated body's
status is known before it is sent), so the record holds the status the client got. Its
``keep`` is the ring buffer itself: natively, the record goes into the buffer with no Python
call, and the live feed is told through the buffer's ``announce`` only while a page listens.
A versioned request is counted in ``traffic`` as it starts. No event dict, no Python call per
event, no callback registration and no serialisation happen on the request path: the record
holds references, turned into JSON only when the Playground asks (``Record.as_dict``).

A request body is read ahead of the app (so that a replay can send it again), chunked ones
too, up to the route's body limit and the buffer's byte bound: a body within both is kept and
handed to the app as read; a longer one is not kept, and the app reads every message of it as
if nothing had read ahead.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from gati.http.request import Request
from gati.playground.buffer import RingBuffer
from gati.playground.record import HANDLER_ID, METHOD, RECORD_KEY, REPLAY_KEY, VERSION, Record
from gati.playground.sse import Broadcaster

__all__ = ["Recorder"]

# built-in routes not worth a record (health probes, the OpenAPI document, metrics scrapes)
_UNRECORDED = frozenset(
    {"gati.healthz", "gati.readyz", "gati.openapi", "gati.docs", "gati.docs.asset", "gati.metrics"}
)
# methods whose requests carry no body unless they declare a length
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

Receive = Callable[[], Awaitable[Any]]


class Recorder:
    """Records every request of one app into ``buffer``, counts each versioned request in
    ``traffic`` by (method, route, version), and publishes each on ``feed`` while someone
    listens; request bodies are kept up to the buffer's byte bound."""

    def __init__(
        self, buffer: RingBuffer, traffic: Counter[tuple[str, str, str]], feed: Broadcaster
    ) -> None:
        self.buffer = buffer
        self.traffic = traffic
        self.feed = feed
        feed.on_listening = self._listening

    def attach(self, app: Any) -> None:
        """Join ``app``'s request path as a lifecycle tracer."""
        app.emitter.trace(self.open)

    def open(self, req: Any, res: Any, lctx: Any) -> Record | Coroutine[Any, Any, Record] | None:
        """The tracer: a new record (its events) for a request worth recording, else None; for
        a request with a body, a coroutine reading the body ahead first."""
        routing = lctx._routing  # the routing facts, without making lctx.meta
        if type(req) is not Request or routing[HANDLER_ID] in _UNRECORDED:
            return None
        info = req.info
        scope = req.scope
        record = Record(scope, info, lctx, res, self.buffer)
        if routing[VERSION] is not None:  # a versioned route's: counted as it starts
            key = record.route_key
            if key is not None:
                self.traffic[(*key, routing[VERSION])] += 1
        if REPLAY_KEY in scope:  # a replay: it reads its record from its scope
            scope[RECORD_KEY] = record
        length = info.content_length
        if length or (length is None and routing[METHOD] not in _BODILESS):
            return _read_ahead(req, record, min(req.max_body_size, self.buffer.max_bytes))
        return record

    def _listening(self, now: bool) -> None:
        """The feed has its first listener (``now``) or lost its last: kept records are
        announced on it, or no longer."""
        self.buffer.announce = self._announce if now else None

    def _announce(self, record: Record) -> None:
        self.feed.publish("request", record.summary())


async def _read_ahead(req: Request[Any], record: Record, limit: int) -> Record:
    """``record``, once ``req``'s body is read into it (and ``req``) when it is at most
    ``limit`` bytes; a longer body's messages read go back to the app, in order, ahead of
    the rest."""
    receive = req._receive
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body = message.get("body", b"")
        if len(body) <= limit:  # the whole body in one message: the common case
            req._body = record.request_body = body
            return record
    messages: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        messages.append(message)
        kind = message["type"]
        if kind == "http.disconnect":
            break
        if kind == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                chunks.append(chunk)
            if not message.get("more_body", False):
                if size <= limit:
                    req._body = record.request_body = (
                        chunks[0] if len(chunks) == 1 else b"".join(chunks)
                    )
                    return record
                break
        if size > limit:
            break
        message = await receive()
    if size > limit:
        record.request_dropped = limit
    req._receive = _replaying(messages, receive)
    return record


def _replaying(messages: list[dict[str, Any]], receive: Receive) -> Receive:
    """A ``receive`` giving ``messages`` first, then the server's."""
    pending = deque(messages)

    async def replay() -> Any:
        if pending:
            return pending.popleft()
        return await receive()

    return replay
