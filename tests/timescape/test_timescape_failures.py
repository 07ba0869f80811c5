"""Failures of versioned requests: every answer carries the version headers (a crash's 500,
a timeout's 504, a response that cannot be encoded, an exception handler's answer, a refusal),
every 5xx feeds the version's health window (raised, set without raising, delegated, timed
out: Property 7), and a Starlette response an implementation returns is migrated down the
hops when its body is JSON."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse

from gati import App, HTTPError, gt
from gati.timescape import HealthPolicy, Timescape
from tests.timescape.helpers import request

OLD, NEW = "2025-01-01", "2025-06-01"
SICK = HealthPolicy(threshold=0.5, window=60, min_requests=3)


def crashing_app(**options: Any) -> App:
    app = App(timescape=Timescape(health=SICK), **options)

    @app.get("/crash", version=OLD)
    async def crash(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise RuntimeError("boom")

    @app.get("/http500", version=OLD)
    async def http500(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise HTTPError(500, "broken")

    @app.get("/set503", version=OLD)
    async def set503(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.status(503)
        return {"down": True}

    @app.get("/delegated502", version=OLD)
    async def delegated502(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return JSONResponse({"bad": "gateway"}, status_code=502)

    @app.get("/slow", version=OLD, timeout=0.01)
    async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await asyncio.sleep(5)

    @app.get("/unencodable", version=OLD)
    async def unencodable(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"value": object()}  # no JSON form: the 500 comes after the lifecycle

    app.timescape.deprecate(OLD, sunset="2999-01-01")
    return app


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/crash", 500),
        ("/http500", 500),
        ("/set503", 503),
        ("/delegated502", 502),
        ("/slow", 504),
        ("/unencodable", 500),
    ],
)
def test_every_failure_carries_the_version_headers(path: str, status: int) -> None:
    r = request(crashing_app(), path=path)
    assert r.status_code == status
    assert r.headers["gati-version"] == OLD
    assert r.headers["deprecation"].startswith("@")
    assert r.headers["sunset"].endswith("GMT")
    # one of each, never duplicated by the two paths that add them
    assert [k for k, _ in r.headers.multi_items()].count("gati-version") == 1


@pytest.mark.parametrize(
    "path", ["/crash", "/http500", "/set503", "/delegated502", "/slow", "/unencodable"]
)
def test_every_5xx_feeds_the_health_window(path: str) -> None:
    """Property 7: raised or not, delegated, timed out or unencodable, three 5xx out of three
    requests take the version out of traffic (no safe fallback: 503 with Retry-After)."""
    app = crashing_app()

    async def go() -> list[Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [await client.get(path) for _ in range(4)]

    answers = asyncio.run(go())
    assert all(r.status_code >= 500 for r in answers[:3])
    assert app.timescape.health.unhealthy() == [("GET", path, OLD)]
    refused = answers[3]
    assert refused.status_code == 503 and "unhealthy" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "60"


def test_an_exception_handlers_answer_keeps_the_version_headers() -> None:
    app = crashing_app()

    @app.exception_handler(RuntimeError)
    async def teapot(req: Any, exc: Exception) -> Any:
        return PlainTextResponse("handled", status_code=418)

    r = request(app, path="/crash")
    assert (r.status_code, r.text, r.headers["gati-version"]) == (418, "handled", OLD)


def test_a_refusal_names_the_version_it_refuses() -> None:
    app = crashing_app()
    app.timescape.decommission(OLD)
    r = request(app, path="/crash")
    assert r.status_code == 410
    assert r.headers["gati-version"] == OLD


def migrating_app(response: Any) -> App:
    """``GET /user`` at NEW answers ``response()`` (a Starlette response); the hop from OLD
    renames ``full_name`` back to ``name``."""
    app = App()

    @app.get("/user", version=NEW, response=gt.object({"full_name": gt.string()}))
    async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return response()

    @app.transformer("/user", from_=OLD, to=NEW, response_schema=gt.object({"name": gt.string()}))
    class Rename:
        def response(self, res: Any, lctx: Any) -> None:
            if isinstance(res.body, dict):
                res.body["name"] = res.body.pop("full_name")
            res.headers["x-migrated"] = "yes"
            res.status = 203

    return app


def test_a_delegated_json_response_is_migrated_down() -> None:
    app = migrating_app(lambda: JSONResponse({"full_name": "Ada Lovelace"}, headers={"x-a": "1"}))
    old = request(app, path="/user", headers={"Gati-Version": OLD})
    assert old.status_code == 203
    assert old.json() == {"name": "Ada Lovelace"}
    assert old.headers["content-length"] == str(len(old.content))
    assert old.headers["x-migrated"] == "yes" and old.headers["x-a"] == "1"
    assert old.headers["gati-version"] == OLD
    new = request(app, path="/user", headers={"Gati-Version": NEW})
    assert new.json() == {"full_name": "Ada Lovelace"} and new.status_code == 200


def test_a_delegated_response_failing_the_old_schema_is_a_500() -> None:
    app = migrating_app(lambda: JSONResponse({"full_name": 42}))
    assert request(app, path="/user", headers={"Gati-Version": OLD}).status_code == 500


def test_a_streamed_response_passes_through_and_is_logged(caplog: Any) -> None:
    async def chunks() -> Any:
        yield b'{"full_name": "Ada"}'

    app = migrating_app(lambda: StreamingResponse(chunks(), media_type="application/json"))
    with caplog.at_level(logging.WARNING, logger="gati.timescape"):
        first = request(app, path="/user", headers={"Gati-Version": OLD})
        request(app, path="/user", headers={"Gati-Version": OLD})
    assert first.status_code == 200 and first.json() == {"full_name": "Ada"}
    assert first.headers["gati-version"] == OLD
    warnings = [r for r in caplog.records if "not migrated" in r.getMessage()]
    assert len(warnings) == 1  # once per version, not per request
