"""``Recorder``: turns requests into ``Record``s through the lifecycle's own mechanisms.

A built-in step (``App.add_step``, ahead of every hook, like telemetry's) opens a live record
for each request and registers an ``on_cleanup`` callback that closes it: cleanup runs once
the response is settled (an error response written, a delegated body sent), so the record
holds the status the client got. A lifecycle event listener adds the hooks, retries, errors
and the handler to the live record's timeline, and takes the state store's O(1) snapshot at
each hook boundary (Property 44). Turning events and snapshots into JSON waits until the
Playground asks (``Record.as_dict``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from gati.context.current import CURRENT
from gati.http.not_routed import NOT_ROUTED_ID
from gati.lifecycle.hooks import Hook
from gati.playground.record import Record

__all__ = ["RECORD_KEY", "REPLAY_KEY", "STEP_ID", "Recorder"]

STEP_ID = "gati.playground"
# scope keys: a replay names the record it re-runs; the recorder names the record it made
REPLAY_KEY = "gati.playground.replay_of"
RECORD_KEY = "gati.playground.record"
# built-in routes not worth a record (health probes, the OpenAPI document, metrics scrapes)
_UNRECORDED = frozenset(
    {"gati.healthz", "gati.readyz", "gati.openapi", "gati.docs", "gati.docs.asset", "gati.metrics"}
)
# the events that mark a hook boundary, and the side of it they mark
_BOUNDARY = {"hook.start": "before", "hook.end": "after", "hook.error": "after"}
_HANDLER_BOUNDARY = {"handler.start": "before", "handler.end": "after"}
_ROUTE_METHOD = {"HEAD": "GET"}  # HEAD is answered by the GET route
_now = time.perf_counter_ns
_time = time.time


class Live:
    """A request being recorded: its objects, the events seen and the snapshots taken."""

    __slots__ = ("events", "ingress_ms", "lctx", "recorder", "req", "res", "snapshots", "t0")

    def __init__(self, recorder: Recorder, req: Any, res: Any, lctx: Any) -> None:
        self.recorder = recorder
        self.req = req
        self.res = res
        self.lctx = lctx
        self.t0 = _now()
        self.ingress_ms = max(0.0, (_time() - lctx.meta.started_at) * 1000)
        self.events: list[dict[str, Any]] = []
        self.snapshots: list[tuple[str, Any]] = []

    def snapshot(self, boundary: str) -> None:
        """The state now, in O(1) (``None`` while the request never touched its state)."""
        store = self.lctx._store  # read without making one: an untouched state is empty
        self.snapshots.append((boundary, None if store is None else store.snapshot()))

    def finish(self) -> None:
        """The ``on_cleanup`` callback: close the record and hand it to the recorder."""
        self.recorder.close(self)


class Recorder:
    """Records every request of one app; ``on_record`` gets each finished ``Record``."""

    def __init__(self, on_record: Callable[[Record], None]) -> None:
        self.on_record = on_record
        self._open: dict[int, Live] = {}  # id(lctx) → live record
        self._ids = itertools.count(1)

    def attach(self, app: Any) -> None:
        """Join ``app``'s request path: the built-in step and the event listener."""
        app.add_step(Hook(self.step, id=STEP_ID, level="global"))
        app.emitter.subscribe(self.observe)

    async def step(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Open the request's record (its body read now when its length is known and within
        the route's limit, so a replay can send it again)."""
        if lctx.meta.handler_id in _UNRECORDED:
            return
        live = Live(self, req, res, lctx)
        length = req.info.content_length
        if length and length <= req.max_body_size:
            await req.body()
        self._open[id(lctx)] = live
        lctx.on_cleanup(live.finish)

    def observe(self, ev: dict[str, Any]) -> None:
        """Lifecycle event listener: keep the event, snapshot the state at hook boundaries."""
        lctx = CURRENT.get(None)
        if lctx is None:
            return
        live = self._open.get(id(lctx))
        if live is None or ev.get("hook_id") == STEP_ID:
            return
        live.events.append(ev)
        kind = ev["type"]
        side = _BOUNDARY.get(kind)
        if side is not None:
            live.snapshot(f"{side}:{ev['hook_id']}")
        else:
            side = _HANDLER_BOUNDARY.get(kind)
            if side is not None:
                live.snapshot(f"{side}:handler")

    def close(self, live: Live) -> None:
        """Build the record of a finished request."""
        self._open.pop(id(live.lctx), None)
        end = _now()
        req, res, meta = live.req, live.res, live.lctx.meta
        scope = req.scope
        delegated = res.asgi
        if delegated is None:
            status = res.status_code
            try:
                body, media = res.render()
            except Exception:  # the app answers this one as a 500: nothing to show
                body, media = b"", None
            headers = list(res.headers)
            if media is not None:
                headers.insert(0, (b"content-type", media))
        else:
            status = delegated.status_code
            body = getattr(delegated, "body", b"") or b""
            headers = list(getattr(delegated, "raw_headers", ()))
            media = next((v for k, v in headers if k == b"content-type"), None)
        headers.insert(0, (b"x-request-id", meta.request_id.encode("ascii")))
        routed = meta.handler_id != NOT_ROUTED_ID
        record = Record(
            id=f"{next(self._ids)}",
            request_id=meta.request_id,
            method=meta.method,
            path=meta.path,
            query=scope.get("query_string", b"").decode("latin-1"),
            route=meta.route if routed else None,
            route_key=(_ROUTE_METHOD.get(meta.method, meta.method), meta.route) if routed else None,
            handler_id=meta.handler_id if routed else None,
            version=meta.version,
            status=status,
            started_at=meta.started_at,
            duration_ms=live.ingress_ms + (end - live.t0) / 1e6,
            replay_of=scope.get(REPLAY_KEY),
            request_headers=list(scope["headers"]),
            request_body=req._body,
            request_media=_media(req.info.content_type),
            response_headers=headers,
            response_body=body,
            response_media=_media(media),
            version_asked=req.info.version_requested,
            ingress_ms=live.ingress_ms,
            events=live.events,
            snapshots=live.snapshots,
        )
        record.measure()
        scope[RECORD_KEY] = record.id
        self.on_record(record)


def _media(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("latin-1")
