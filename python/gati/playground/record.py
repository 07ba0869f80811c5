"""``Record``: one recorded request: what came in, what went out, its lifecycle events and the
state at each hook boundary.

Recording is cheap because a record holds references, not copies: the request's headers list
and body bytes, the response's headers list and encoded body, the request's ``Meta`` and
``Ingress``, and the orchestrator's ``Event`` tuples with the state store's O(1) snapshots in
them. Its ``events`` (an ``EventLog``) are the lifecycle ``Trace`` of its request: the
orchestrator appends to the list itself, so recording an event costs a C ``list.append``.
Redaction, decoding, the timeline and every JSON form (``summary()``, ``as_dict()``) are made
only when someone looks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from gati.http.not_routed import NOT_ROUTED_ID
from gati.lifecycle.events import Event
from gati.playground import redact

__all__ = ["BODY_SHOWN", "EventLog", "Record", "Step", "body_json"]

BODY_SHOWN = 64 * 1024  # bodies longer than this are shown truncated
# What a record costs beyond its bytes (the object, its lists, an event, a snapshot): a
# deliberate over-estimate, so the byte bound holds for records of empty requests too.
_OVERHEAD = 512
_PER_HEADER = 64
_PER_EVENT = 160
_PER_SNAPSHOT = 96
_ROUTE_METHOD = {"HEAD": "GET"}  # HEAD is answered by the GET route
# the events at a hook or handler boundary (their tuples carry the state then)
_BOUNDARY = frozenset({"hook.start", "hook.end", "hook.error", "handler.start", "handler.end"})
_BEFORE = ("hook.start", "handler.start")
_time = time.time
_log = logging.getLogger("gati.playground")


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


class Record:
    """A request being recorded, then recorded.

    Made at the request's start with its ``Meta``, ``Ingress``, ASGI scope, Local Context and
    response; ``events`` takes each lifecycle event, and ``request.end`` closes it
    (``EventLog.end``): the response is taken as the client gets it, the
    references to the live request are dropped, and ``on_end`` gets the record (and drops
    ``scope``, once it has read it). The request's
    headers and body are kept as received (for replay) and only ever shown redacted.
    """

    __slots__ = (
        "_lctx",
        "_on_end",
        "_res",
        "_response_headers",
        "end_ns",
        "events",
        "id",
        "info",
        "meta",
        "opened_at",
        "query_raw",
        "replay_of",
        "request_body",
        "request_dropped",
        "request_headers",
        "response_body",
        "response_media_raw",
        "scope",
        "size",
        "start_ns",
        "status",
    )

    # set when it closes: what the Playground reads
    id: str
    replay_of: str | None
    start_ns: int
    end_ns: int
    status: int
    response_body: bytes
    response_media_raw: bytes | None
    _response_headers: list[tuple[bytes, bytes]]
    query_raw: bytes
    size: int

    def __init__(
        self, scope: Any, info: Any, lctx: Any, res: Any, on_end: Callable[[Record], Any]
    ) -> None:
        self.scope: Any = scope  # dropped once closed
        self.info = info
        self.meta = lctx.meta
        self._lctx = lctx
        self._res = res
        self._on_end = on_end
        self.opened_at = _time()
        self.request_headers: list[tuple[bytes, bytes]] = scope["headers"]
        self.request_body: bytes | None = None
        self.request_dropped = 0  # a body past this many bytes was not kept
        events = self.events = EventLog()
        events.record = self

    def close(self) -> None:
        """Take the response as sent, drop the live request, hand the record on."""
        events = self.events
        events.record = None
        res = self._res
        self.start_ns = events[0][1]
        self.end_ns = events[-1][1]
        delegated = res.asgi
        if delegated is None:
            self.status = res.status_code
            try:
                self.response_body, self.response_media_raw = res.render()
            except Exception:  # the app answers this one as a 500: nothing to show
                self.response_body, self.response_media_raw = b"", None
            self._response_headers = res.headers
        else:
            self.status = delegated.status_code
            self.response_body = getattr(delegated, "body", b"") or b""
            self.response_media_raw = None
            self._response_headers = list(getattr(delegated, "raw_headers", ()))
        query = self.query_raw = self.scope.get("query_string", b"")
        # its size: the bytes it holds plus a generous fixed cost per part
        n = _OVERHEAD + _PER_EVENT * (len(events) + 3) + len(self.meta.path) + len(query)
        n += len(self.response_body) + len(self.request_body or b"")
        for name, value in self.request_headers:
            n += len(name) + len(value) + _PER_HEADER
        for name, value in self._response_headers:
            n += len(name) + len(value) + _PER_HEADER
        if self._lctx._store is not None:  # the request touched its state
            n += _state_bytes(events)
        self.size = n
        self._lctx = self._res = None
        self._on_end(self)

    # -- what the Playground reads ------------------------------------------------------------
    @property
    def routed(self) -> bool:
        return bool(self.meta.handler_id != NOT_ROUTED_ID)

    @property
    def request_id(self) -> str:
        return str(self.meta.request_id)

    @property
    def method(self) -> str:
        return str(self.meta.method)

    @property
    def path(self) -> str:
        return str(self.meta.path)

    @property
    def query(self) -> str:
        return str(self.query_raw.decode("latin-1"))

    @property
    def route(self) -> str | None:
        return self.meta.route if self.routed else None

    @property
    def route_key(self) -> tuple[str, str] | None:
        """(method, template) of the route that took it (HEAD is the GET route's)."""
        if not self.routed:
            return None
        method = self.meta.method
        return _ROUTE_METHOD.get(method, method), self.meta.route

    @property
    def handler_id(self) -> str | None:
        return self.meta.handler_id if self.routed else None

    @property
    def version(self) -> str | None:
        return self.meta.version  # type: ignore[no-any-return]

    @property
    def version_asked(self) -> str | None:
        return self.info.version_requested  # type: ignore[no-any-return]

    @property
    def started_at(self) -> float:
        return float(self.meta.started_at)

    @property
    def ingress_ms(self) -> float:
        """From the request's arrival to its lifecycle's start."""
        return max(0.0, (self.opened_at - float(self.meta.started_at)) * 1000)

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
        return next((_text(v) for k, v in self._response_headers if k == b"content-type"), None)

    @property
    def response_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers as the client got them (the request id, the body's media type)."""
        headers = [(b"x-request-id", self.meta.request_id.encode("ascii"))]
        if self.response_media_raw is not None:
            headers.append((b"content-type", self.response_media_raw))
        headers.extend(self._response_headers)
        return headers

    def summary(self) -> dict[str, Any]:
        """The list view's fields (PLAYGROUND_API.md, Summary)."""
        return {
            "id": self.id,
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "handler_id": self.handler_id,
            "version": self.version,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "started_at": self.started_at,
            "replay_of": self.replay_of,
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


class EventLog(list[Event]):
    """A record's events, as the orchestrator appends them (its ``Trace``): ``end`` takes
    ``request.end`` and closes the record."""

    __slots__ = ("record",)
    record: Record | None

    def end(self, ev: Event) -> None:
        self.append(ev)
        record = self.record
        if record is not None:
            try:
                record.close()
            except Exception:  # a recording failure never fails the request
                _log.exception("recording request %s failed", record.meta.request_id)


def _state_bytes(events: list[Event]) -> int:
    """What the state snapshots in ``events`` hold, roughly."""
    n = 0
    for *_, snap in events:
        if snap is not None:
            n += _PER_SNAPSHOT
            for key, value in snap.items():
                n += len(key) + _estimate(value)
    return n


def _estimate(value: Any, depth: int = 0) -> int:
    """Roughly the bytes ``value`` holds (bounded walk: deep values count as their repr)."""
    t = type(value)
    if t is str or t is bytes:
        return len(value) + 32
    if depth < 8 and (t is list or t is tuple):
        return 56 + sum(_estimate(v, depth + 1) for v in value)
    if depth < 8 and t is dict:
        return 64 + sum(_estimate(k, depth + 1) + _estimate(v, depth + 1) for k, v in value.items())
    if t is int or t is float or t is bool or value is None:
        return 32
    return len(repr(value)) + 32
