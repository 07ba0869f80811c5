"""``RecordCore``: the Playground's record of one request, made in one call and closed in one
call (native twin: ``gati._native.RecordCore``; the views over it are
``gati.playground.record.Record``, a subclass).

Made at the request's start, it takes references (the scope's headers and query, the context's
routing facts (``LocalContext._routing``: no ``Meta`` is made for it), the request's
``Ingress``, the live context and response) and an empty event list whose own
``append`` the orchestrator calls per event. ``end`` closes it once the response is settled:
the response taken as the client gets it (encoded once, and sent as recorded), its size
counted, the live references dropped, and the record handed to ``keep``. A failure while
closing is logged and never fails the request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

__all__ = ["RecordCore"]

# What a record costs beyond its bytes (the object, its lists, an event, a snapshot): a
# deliberate over-estimate, so the byte bound holds for records of empty requests too.
_OVERHEAD = 512
_PER_HEADER = 64
_PER_EVENT = 160
_PER_SNAPSHOT = 96
_DEEPEST = 8  # how deep a state value is walked; deeper values count as their repr
_REPLAY_KEY = "gati.playground.replay_of"
_ROUTING_REQUEST_ID, _ROUTING_PATH = 0, 2  # where ``LocalContext._routing`` holds them
_time = time.time
_log = logging.getLogger("gati.playground")


class RecordCore:
    """One recorded request: what came in, its events, and (once closed) what went out."""

    __slots__ = (
        "_keep",
        "_lctx",
        "_res",
        "append",
        "events",
        "id",
        "info",
        "opened_at",
        "query_raw",
        "replay_of",
        "request_body",
        "request_dropped",
        "request_headers",
        "response_body",
        "response_media_raw",
        "routing",
        "sent_headers",
        "size",
        "status",
    )

    def __init__(
        self, scope: Any, info: Any, lctx: Any, res: Any, keep: Callable[[Any], Any]
    ) -> None:
        self.routing: tuple[Any, ...] = lctx._routing
        self.request_headers = scope["headers"]
        self.query_raw = scope.get("query_string", b"")
        self.replay_of = scope.get(_REPLAY_KEY)
        self.info = info
        self._lctx = lctx
        self._res = res
        self._keep = keep
        self.opened_at = _time()
        self.events: list[Any] = []
        self.append = self.events.append  # the orchestrator's per-event call: list.append
        self.request_body: Any = None
        self.request_dropped: Any = 0
        self.status: Any = None
        self.response_body: Any = None
        self.response_media_raw: Any = None
        self.sent_headers: Any = None
        self.size = 0
        self.id = 0  # the record's number, set by the buffer keeping it

    def end(self, ev: Any) -> None:
        """``request.end``: append ``ev``, then (once) take the response as sent, count the
        record's size and hand it to ``keep``. A failure while closing is logged, never
        raised (unless it is not an ``Exception``)."""
        self.events.append(ev)
        res = self._res
        if res is None:
            return
        self._res = None
        try:
            status, body, media, headers = _sent(res)
            size = _OVERHEAD + _PER_EVENT * len(self.events) + len(body) + len(self.query_raw)
            size += len(self.routing[_ROUTING_PATH])
            size += _PER_HEADER * (len(self.request_headers) + len(headers))
            if self.request_body is not None:
                size += len(self.request_body)
            size += _header_bytes(self.request_headers) + _header_bytes(headers)
            if self._lctx.state_if_made is not None:  # the request touched its state
                size += _state_bytes(self.events)
            self.status = status
            self.response_body = body
            self.response_media_raw = media
            self.sent_headers = headers
            self.size = size
            self._lctx = None
            self._keep(self)
        except Exception as exc:
            _log.error(
                "recording request %s failed", self.routing[_ROUTING_REQUEST_ID], exc_info=exc
            )


def _sent(res: Any) -> tuple[Any, Any, Any, Any]:
    """``(status, body, media, headers)`` as the client gets them: a gati response's body
    encoded once (and sent as those very bytes), or a delegated ASGI response's."""
    delegated = res.asgi
    if delegated is not None:
        body = getattr(delegated, "body", b"") or b""
        headers = list(getattr(delegated, "raw_headers", ()))
        return delegated.status_code, body, None, headers
    status = res.status_code
    try:
        body, media = res.render()
    except Exception:  # the app answers this one as a 500: nothing to show
        body, media = b"", None
    else:
        if res._body is None:  # a JSON value, encoded here once: the response sends these bytes
            res._body, res._payload = body, None
    return status, body, media, res.headers


def _header_bytes(headers: Any) -> int:
    """The names' and values' bytes of a headers list."""
    n = 0
    for name, value in headers:
        n += len(name) + len(value)
    return n


def _state_bytes(events: list[Any]) -> int:
    """What the state snapshots in ``events`` hold, roughly."""
    n = 0
    for *_, snap in events:
        if snap is not None:
            n += _PER_SNAPSHOT
            for key, value in snap.items():
                n += len(key) + _estimate(value)
    return n


def _estimate(value: Any, depth: int = 0) -> int:
    """Roughly the bytes ``value`` holds (a bounded walk: deep values count as their repr)."""
    t = type(value)
    if t is str or t is bytes:
        return len(value) + 32
    if depth < _DEEPEST and (t is list or t is tuple):
        return 56 + sum(_estimate(v, depth + 1) for v in value)
    if depth < _DEEPEST and t is dict:
        return 64 + sum(_estimate(k, depth + 1) + _estimate(v, depth + 1) for k, v in value.items())
    if t is int or t is float or t is bool or value is None:
        return 32
    return len(repr(value)) + 32
