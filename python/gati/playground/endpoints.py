"""The ``/_gati/api/`` endpoints (PLAYGROUND_API.md, "API"), each a thin layer over the
Playground's parts: records, the live feed, replay, diff, gates and the version timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gati.playground.api import body_of, json, problem
from gati.playground.gates import GateLimit
from gati.playground.shutdown import SERVER_SEND, closing

if TYPE_CHECKING:
    from gati.playground.core import Playground

__all__ = ["routes"]

_DEFAULT_LIMIT = 100


def routes(pg: Playground) -> list[Route]:
    """The API routes of ``pg``."""

    async def requests(request: Request) -> Response:
        raw = request.query_params.get("limit", str(_DEFAULT_LIMIT))
        try:
            limit = int(raw)
            if limit < 1:
                raise ValueError
        except ValueError:
            return problem(400, f"limit is a positive integer, not {raw!r}")
        return json({"requests": [r.summary() for r in pg.buffer.newest(limit)]})

    async def record(request: Request) -> Response:
        found = pg.buffer.get(request.path_params["id"])
        if found is None:
            return problem(404, "no such record (unknown, or evicted from the buffer)")
        return json(pg.record_json(found))

    async def events(request: Request) -> Response:
        server_closing = closing(request.scope.get(SERVER_SEND))
        stopped = None
        if server_closing is not None:

            def stopped() -> bool:
                """The server is stopping (seen on this stream's connection): let go, as on
                a signal."""
                if not server_closing():
                    return False
                pg.let_go()
                return True

        return StreamingResponse(
            pg.feed.stream(stopped),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def replay(request: Request) -> Response:
        from gati.playground.replay import UnknownVersion, replay

        original = pg.buffer.get(request.path_params["id"])
        if original is None:
            return problem(404, "no such record (unknown, or evicted from the buffer)")
        body, bad = await body_of(request)
        if bad is not None:
            return bad
        if body is not None and not isinstance(body, dict):
            return problem(400, 'the body is {"version": <date or null>}')
        version = None if body is None else body.get("version")
        if version is not None and not isinstance(version, str):
            return problem(400, f"version is a date string or null, not {version!r}")
        try:
            made = await replay(pg, original, version)
        except UnknownVersion as exc:
            return problem(400, str(exc), versions=exc.versions)
        return json({"record": pg.record_json(made)})

    async def diff(request: Request) -> Response:
        from gati.playground.diff import diff_records

        ids = request.query_params.get("left"), request.query_params.get("right")
        if ids[0] is None or ids[1] is None:
            return problem(400, "diff needs ?left=<id>&right=<id>")
        left, right = pg.buffer.get(ids[0]), pg.buffer.get(ids[1])
        if left is None or right is None:
            missing = ids[0] if left is None else ids[1]
            return problem(404, f"no such record {missing!r} (unknown, or evicted)")
        secrets = pg.secrets()
        timelines = pg.timeline(left), pg.timeline(right)
        return json(diff_records(left, right, secrets, timelines))

    async def versions(request: Request) -> Response:
        from gati.playground.versions import versions_view

        return json(versions_view(pg))

    async def openapi(request: Request) -> Response:
        app = pg.app
        return json({"openapi": app.openapi_path, "docs": app.docs_path})

    async def gates(request: Request) -> Response:
        if request.method == "GET":
            return json(pg.gates.describe())
        body, bad = await body_of(request)
        if bad is not None:
            return bad
        try:
            gate = pg.gates.add(body)
        except ValueError as exc:
            return problem(400, str(exc))
        except GateLimit as exc:
            return problem(409, str(exc), limit=exc.limit)
        return json(gate.as_dict(), 201)

    async def gate(request: Request) -> Response:
        if not pg.gates.remove(request.path_params["gate_id"]):
            return problem(404, "no such gate")
        return Response(status_code=204)

    async def paused_state(request: Request) -> Response:
        body, bad = await body_of(request)
        if bad is not None:
            return bad
        if not isinstance(body, dict):
            return problem(400, "the new state must be a JSON object")
        paused = pg.gates.paused_by_id(request.path_params["pause_id"])
        if paused is None:
            return problem(404, "no such paused request (resumed, aborted or timed out)")
        secrets = pg.secrets()
        paused.replace_state(body, secrets)
        return json(paused.as_dict(secrets))

    def ending(action: str) -> Any:
        async def end(request: Request) -> Response:
            pause_id = request.path_params["pause_id"]
            if not pg.gates.end(pause_id, action):
                return problem(404, "no such paused request (resumed, aborted or timed out)")
            return json({"pause_id": pause_id, "action": action})

        return end

    return [
        Route("/api/requests", requests),
        Route("/api/requests/{id}", record),
        Route("/api/requests/{id}/replay", replay, methods=["POST"]),
        Route("/api/events", events),
        Route("/api/diff", diff),
        Route("/api/versions", versions),
        Route("/api/openapi", openapi),
        Route("/api/gates", gates, methods=["GET", "POST"]),
        Route("/api/gates/{gate_id}", gate, methods=["DELETE"]),
        Route("/api/paused/{pause_id}/state", paused_state, methods=["PUT"]),
        Route("/api/paused/{pause_id}/resume", ending("resume"), methods=["POST"]),
        Route("/api/paused/{pause_id}/abort", ending("abort"), methods=["POST"]),
    ]
