"""``Record``: one recorded request: what came in, what went out, its lifecycle events and the
state at each hook boundary.

Recording is cheap because a record holds references, not copies: the request's headers list
and body bytes, the response's headers list and encoded body, the request's ``Meta`` and
``Ingress``, and the orchestrator's ``Event`` tuples with the state store's O(1) snapshots in
them. A record is the list of its request's events, the lifecycle ``Trace``: the orchestrator
appends to it itself, so recording an event costs a C ``list.append``. The response body is
encoded once, when the record closes, and the response sends those bytes. Redaction,
decoding, the timeline and every JSON form (``summary()``, ``as_dict()``) are made only when
someone looks.
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

__all__ = ["BODY_SHOWN", "RECORD_KEY", "REPLAY_KEY", "Record", "Step", "body_json"]

# scope keys: a replay names the record it re-runs; its record puts itself there in return
REPLAY_KEY = "gati.playground.replay_of"
RECORD_KEY = "gati.playground.record"

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


class Record(list[Event]):
    """A request being recorded, then recorded: the list of its lifecycle events (its
    ``Trace``: the orchestrator appends each event tuple to the record itself, a C
    ``list.append``) and what came in and went out.

    Made at the request's start with its ASGI scope, ``Ingress``, Local Context and response;
    ``request.end`` (``end``) closes it once the response is settled: the response is taken
    as the client gets it, its size counted, the references to the live request dropped, and
    ``keep`` gets the record. The request's headers and body are kept as received (for
    replay) and only ever shown redacted.
    """

    __slots__ = (
        "_keep",
        "_lctx",
        "_res",
        "_response_headers",
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
        "size",
        "status",
    )

    # set when it closes: what the Playground reads (``id`` by the buffer keeping it)
    id: int
    status: int
    response_body: bytes
    response_media_raw: bytes | None
    _response_headers: list[tuple[bytes, bytes]]
    size: int

    def __init__(
        self, scope: Any, info: Any, lctx: Any, res: Any, keep: Callable[[Record], Any]
    ) -> None:
        self.meta = lctx.meta
        self.info = info
        self._lctx: Any = lctx  # dropped once closed
        self._res: Any = res  # dropped once closed
        self._keep = keep
        self.opened_at = _time()
        self.request_headers: list[tuple[bytes, bytes]] = scope["headers"]
        self.query_raw: bytes = scope.get("query_string", b"")
        self.replay_of: int | None = scope.get(REPLAY_KEY)
        if self.replay_of is not None:  # the replay reads its record from its scope
            scope[RECORD_KEY] = self
        self.request_body: bytes | None = None
        self.request_dropped = 0  # a body past this many bytes was not kept

    def end(self, ev: Event) -> None:
        """``request.end``: take the response as sent, count the record's size, keep it. A
        recording failure never fails the request."""
        self.append(ev)
        res = self._res
        if res is None:
            return
        self._res = None
        try:
            delegated = res.asgi
            if delegated is None:
                self.status = res.status_code
                try:
                    body, media = res.render()
                except Exception:  # the app answers this one as a 500: nothing to show
                    body, media = b"", None
                else:  # encoded once: the response sends the very bytes recorded
                    res.send(body, media)
                headers = res.headers
            else:
                self.status = delegated.status_code
                body = getattr(delegated, "body", b"") or b""
                media = None
                headers = list(getattr(delegated, "raw_headers", ()))
            self.response_body = body
            self.response_media_raw = media
            self._response_headers = headers
            # its size: the bytes it holds plus a generous fixed cost per part
            request_headers = self.request_headers
            size = _OVERHEAD + _PER_EVENT * len(self) + len(body) + len(self.query_raw)
            size += len(self.meta.path) + _PER_HEADER * (len(request_headers) + len(headers))
            if self.request_body is not None:
                size += len(self.request_body)
            for name, value in request_headers:
                size += len(name) + len(value)
            for name, value in headers:
                size += len(name) + len(value)
            if self._lctx._store is not None:  # the request touched its state
                size += _state_bytes(self)
            self.size = size
            self._lctx = None
            self._keep(self)
        except Exception:
            _log.exception("recording request %s failed", self.meta.request_id)

    @property
    def start_ns(self) -> int:
        """``request.start``'s time (``perf_counter_ns``)."""
        return self[0][1]

    @property
    def end_ns(self) -> int:
        """``request.end``'s time."""
        return self[-1][1]

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
        for kind, _, hook, *_, snap in self:
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
