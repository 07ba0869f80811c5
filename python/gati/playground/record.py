"""``Record``: one recorded request: what came in, what went out, its timeline and the state at
each hook boundary, kept raw (bytes, O(1) state snapshots) and turned into the Playground's
JSON forms (``summary()``, ``as_dict()``) only when someone looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from gati.playground import redact

__all__ = ["BODY_SHOWN", "Record", "Step", "body_json"]

BODY_SHOWN = 64 * 1024  # bodies longer than this are shown truncated
# What a record costs beyond its bytes (the object, its lists, a step, a snapshot): a
# deliberate over-estimate, so the byte bound holds for records of empty requests too.
_OVERHEAD = 512
_PER_STEP = 160
_PER_SNAPSHOT = 96


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


@dataclass(slots=True)
class Record:
    """A recorded request. ``request_headers`` and ``request_body`` are kept as received (for
    replay) and only ever shown redacted. ``snapshots`` hold the state store's frozen
    snapshots (``None`` for a state never touched)."""

    id: str
    request_id: str
    method: str
    path: str
    query: str
    route: str | None
    route_key: tuple[str, str] | None
    handler_id: str | None
    version: str | None
    status: int
    started_at: float
    duration_ms: float
    replay_of: str | None
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes | None
    request_media: str | None
    response_headers: list[tuple[bytes, bytes]]
    response_body: bytes
    response_media: str | None
    version_asked: str | None = None
    ingress_ms: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)  # lifecycle events, raw
    snapshots: list[tuple[str, Any]] = field(default_factory=list)
    size: int = 0

    def measure(self) -> None:
        """Set ``size``: the bytes it holds plus a generous fixed cost per part."""
        n = _OVERHEAD + len(self.path) + len(self.query) + len(self.response_body)
        n += len(self.request_body or b"")
        for name, value in self.request_headers:
            n += len(name) + len(value) + 64
        for name, value in self.response_headers:
            n += len(name) + len(value) + 64
        n += _PER_STEP * (len(self.events) + 3)
        for _, snap in self.snapshots:
            n += _PER_SNAPSHOT
            if snap is not None:
                for key, value in snap.items():
                    n += len(key) + _estimate(value)
        self.size = n

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

    def as_dict(
        self, secrets: tuple[str, ...], versions: list[str], timeline: list[Step]
    ) -> dict[str, Any]:
        """Everything, redacted (PLAYGROUND_API.md, Record)."""
        out = self.summary()
        out["request"] = {
            "method": self.method,
            "path": self.path,
            "query": redact.text(self.query, secrets),
            "headers": redact.headers(self.request_headers, secrets),
            "body": body_json(self.request_body or b"", self.request_media, secrets),
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
            for boundary, snap in self.snapshots
        ]
        out["versions"] = versions
        return out


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
