"""``Record``: one recorded request: what came in, what went out, its lifecycle events and the
state at each hook boundary.

Recording is cheap because a record holds references, not copies: the request's headers list
and body bytes, the response's headers list and encoded body, the context's routing facts
(``LocalContext._routing``: recording makes no ``Meta``), the request's ``Ingress``, and the
orchestrator's ``Event`` tuples with the state store's O(1) snapshots in them. A record is its
request's lifecycle ``Trace``: the orchestrator appends each event through the record's
``append``, its event list's own, so recording an event costs a C ``list.append``. The record
is made in one call and closed in one call (``RecordCore``, native or pure, chosen by the
backend), straight into the ring buffer; the response body is encoded once, when the record
closes, and the response sends those bytes. Redaction, decoding, the timeline and every JSON
form (``summary()``, ``as_dict()``) are made only when someone looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from gati._backend import twin
from gati.http.not_routed import NOT_ROUTED_ID
from gati.lifecycle.events import Event
from gati.playground import redact

__all__ = ["BODY_SHOWN", "RECORD_KEY", "REPLAY_KEY", "Record", "Step", "body_json"]

# scope keys: a replay names the record it re-runs; its record puts itself there in return
REPLAY_KEY = "gati.playground.replay_of"
RECORD_KEY = "gati.playground.record"

BODY_SHOWN = 64 * 1024  # bodies longer than this are shown truncated
_ROUTE_METHOD = {"HEAD": "GET"}  # HEAD is answered by the GET route
# the events at a hook or handler boundary (their tuples carry the state then)
_BOUNDARY = frozenset({"hook.start", "hook.end", "hook.error", "handler.start", "handler.end"})
_BEFORE = ("hook.start", "handler.start")
_Core: Any = twin("RecordCore")
# where ``LocalContext._routing`` (``Meta``'s order: gati.context.meta.Routing) holds each fact
REQUEST_ID, METHOD, PATH, ROUTE, HANDLER_ID, VERSION, STARTED_AT = 0, 1, 2, 3, 4, 5, 9


@dataclass(slots=True)
class Step:
    """One span of the timeline (times in ms from the request's start)."""

    phase: str
    name: str
    start_ms: float
    duration_ms: float
    outcome: str = "ok"
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "name": self.name,
            "start_ms": round(self.start_ms, 3),
            "duration_ms": round(self.duration_ms, 3),
            "outcome": self.outcome,
            "detail": self.detail,
        }


def body_json(raw: bytes, media: str | None, secrets: tuple[str, ...]) -> Any:
    """A body as shown: parsed JSON when it is JSON, else text; truncated past BODY_SHOWN."""
    if not raw:
        return None
    shown = redact.text(raw[:BODY_SHOWN].decode("utf-8", "replace"), secrets)
    if len(raw) > BODY_SHOWN:
        return shown + f"… ({len(raw)} bytes)"
    if media is None or "json" in media:
        try:
            return orjson.loads(shown)
        except orjson.JSONDecodeError:
            pass
    return shown


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("latin-1")


class Record(_Core):  # type: ignore[misc]  # the twin, native or pure
    """A request being recorded, then recorded: ``RecordCore`` (native or pure: made in one
    call, closed in one call: rust/playground) and the views the Playground reads.

    Made at the request's start with its ASGI scope, ``Ingress``, Local Context, response and
    ``keep``; its ``events`` are the request's lifecycle ``Trace`` (the orchestrator appends
    each event tuple through ``append``, a C ``list.append``), and ``request.end`` (``end``)
    closes it once the response is settled: the response is taken as the client gets it,
    its size counted, the references to the live request dropped, and ``keep`` gets the
    record. The request's headers and body are kept as received (for replay) and only ever
    shown redacted.
    """

    __slots__ = ()

    # what the core holds (set when it closes: ``status`` on)
    events: list[Event]
    routing: tuple[Any, ...]  # LocalContext._routing: request id, method, path, route, …
    info: Any
    opened_at: float
    request_headers: list[tuple[bytes, bytes]]
    query_raw: bytes
    replay_of: int | None
    request_body: Any  # bytes, or None when not kept (set by the recorder)
    request_dropped: Any  # int: a body past this many bytes was not kept
    status: int
    response_body: bytes
    response_media_raw: bytes | None
    sent_headers: list[tuple[bytes, bytes]]
    size: int
    id: int  # the record's number, set by the buffer keeping it (0 until then)

    append: Callable[[Event], None]  # the events' own list.append
    end: Callable[[Event], None]  # request.end: closes the record

    @property
    def start_ns(self) -> int:
        """``request.start``'s time (``perf_counter_ns``)."""
        return self.events[0][1]

    @property
    def end_ns(self) -> int:
        """``request.end``'s time."""
        return self.events[-1][1]

    # -- what the Playground reads ------------------------------------------------------------
    @property
    def routed(self) -> bool:
        return bool(self.routing[HANDLER_ID] != NOT_ROUTED_ID)

    @property
    def request_id(self) -> str:
        return str(self.routing[REQUEST_ID])

    @property
    def method(self) -> str:
        return str(self.routing[METHOD])

    @property
    def path(self) -> str:
        return str(self.routing[PATH])

    @property
    def query(self) -> str:
        return str(self.query_raw.decode("latin-1"))

    @property
    def route(self) -> str | None:
        return self.routing[ROUTE] if self.routed else None

    @property
    def route_key(self) -> tuple[str, str] | None:
        """(method, template) of the route that took it (HEAD is the GET route's)."""
        if not self.routed:
            return None
        method = self.method
        return _ROUTE_METHOD.get(method, method), self.routing[ROUTE]

    @property
    def handler_id(self) -> str | None:
        return self.routing[HANDLER_ID] if self.routed else None

    @property
    def version(self) -> str | None:
        return self.routing[VERSION]  # type: ignore[no-any-return]

    @property
    def version_asked(self) -> str | None:
        return self.info.version_requested  # type: ignore[no-any-return]

    @property
    def started_at(self) -> float:
        return float(self.routing[STARTED_AT])

    @property
    def ingress_ms(self) -> float:
        """From the request's arrival to its lifecycle's start."""
        return max(0.0, (self.opened_at - self.started_at) * 1000)

    @property
    def duration_ms(self) -> float:
        return self.ingress_ms + (self.end_ns - self.start_ns) / 1e6

    @property
    def request_media(self) -> str | None:
        return _text(self.info.content_type)

    @property
    def response_media(self) -> str | None:
        if self.response_media_raw is not None:
            return _text(self.response_media_raw)
        return next((_text(v) for k, v in self.sent_headers if k == b"content-type"), None)

    @property
    def response_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers as the client got them (the request id, the body's media type)."""
        headers = [(b"x-request-id", self.request_id.encode("ascii"))]
        if self.response_media_raw is not None:
            headers.append((b"content-type", self.response_media_raw))
        headers.extend(self.sent_headers)
        return headers

    def summary(self) -> dict[str, Any]:
        """The list view's fields (PLAYGROUND_API.md, Summary)."""
        return {
            "id": str(self.id),
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "handler_id": self.handler_id,
            "version": self.version,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "started_at": self.started_at,
            "replay_of": None if self.replay_of is None else str(self.replay_of),
        }

    def boundaries(self) -> list[tuple[str, Any]]:
        """``(boundary, snapshot)`` pairs: ``before:<hook id>``, ``after:handler``…"""
        out = []
        for kind, _, hook, *_, snap in self.events:
            if kind in _BOUNDARY:
                side = "before" if kind in _BEFORE else "after"
                out.append((f"{side}:{'handler' if hook is None else hook.id}", snap))
        return out

    def as_dict(
        self, secrets: tuple[str, ...], versions: list[str], timeline: list[Step]
    ) -> dict[str, Any]:
        """Everything, redacted (PLAYGROUND_API.md, Record)."""
        out = self.summary()
        body: Any = body_json(self.request_body or b"", self.request_media, secrets)
        if self.request_dropped:
            body = f"(not kept: more than {self.request_dropped} bytes)"
        out["request"] = {
            "method": self.method,
            "path": self.path,
            "query": redact.text(self.query, secrets),
            "headers": redact.headers(self.request_headers, secrets),
            "body": body,
        }
        out["response"] = {
            "status": self.status,
            "headers": redact.headers(self.response_headers, secrets),
            "body": body_json(self.response_body, self.response_media, secrets),
        }
        out["timeline"] = [step.as_dict() for step in timeline]
        out["snapshots"] = [
            {
                "boundary": boundary,
                "state": {} if snap is None else redact.state(snap.items(), secrets),
            }
            for boundary, snap in self.boundaries()
        ]
        out["versions"] = versions
        return out
