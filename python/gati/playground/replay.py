"""Replay (Property 45): a stored request re-run in-process against a version of its route.

The request goes through the app exactly as a client's would (middleware, routing, the whole
lifecycle), pinned to the version with ``Gati-Version`` and marked as a replay, so the
recorder records it with ``replay_of`` set. It gets a new request id; everything else (method,
path, query, headers including credentials, body) is the original's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from gati.playground.record import RECORD_KEY, REPLAY_KEY, Record

if TYPE_CHECKING:
    from gati.playground.core import Playground

__all__ = ["ReplayFailed", "UnknownVersion", "replay"]

# headers a replay sets itself: a new request id, its own version and body length
_DROPPED = frozenset({b"x-request-id", b"gati-version", b"x-api-version", b"content-length"})


class UnknownVersion(ValueError):
    """The version asked for is not one of the route's (``versions`` lists them)."""

    def __init__(self, detail: str, versions: list[str]) -> None:
        super().__init__(detail)
        self.versions = versions


class ReplayFailed(RuntimeError):
    """The replay ran but left no record (the app answered outside the lifecycle)."""


def replay_scope(record: Record, version: str | None) -> dict[str, Any]:
    """The ASGI scope re-sending ``record``'s request, pinned to ``version`` when given."""
    headers = [(k, v) for k, v in record.request_headers if k.lower() not in _DROPPED]
    query = record.query
    if version is not None:
        headers.append((b"gati-version", version.encode("ascii")))
        if "version=" in query:  # ?version= would compete with the header
            query = urlencode([(k, v) for k, v in parse_qsl(query, True) if k != "version"])
    body = record.request_body or b""
    if body:
        headers.append((b"content-length", b"%d" % len(body)))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": record.method,
        "scheme": "http",
        "path": record.path,
        "raw_path": record.path.encode("utf-8"),
        "root_path": "",
        "query_string": query.encode("latin-1"),
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": ("gati-playground", 0),
        REPLAY_KEY: record.id,
    }


async def replay(pg: Playground, record: Record, version: str | None) -> Record:
    """Re-run ``record`` against ``version`` (``None``: the version it resolved to); returns
    the replay's own record."""
    versions = pg.versions_of(record)
    if version is not None and version not in versions:
        detail = (
            f"{record.method} {record.route} has no version {version!r}"
            if versions
            else f"{record.method} {record.path} is not a versioned route"
        )
        raise UnknownVersion(detail, versions)
    pinned = version if version is not None else record.version if versions else None
    scope = replay_scope(record, pinned)
    body = record.request_body or b""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None  # the recorder keeps the response

    await pg.app(scope, receive, send)
    made: Record | None = scope.get(RECORD_KEY)  # the replay's record, once made
    if made is None or pg.buffer.get(made.id) is not made:
        raise ReplayFailed("the replay left no record (answered before the lifecycle ran)")
    return made
