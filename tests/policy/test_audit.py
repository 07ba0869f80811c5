"""The audit log: one JSON line per request with the outcome the client saw (Property 42)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, Hook, HTTPError, JWTAuth, gt
from gati.policy import AuditLog
from gati.testing import AsyncTestClient
from tests.policy.keys import HS_KEY, bearer, hs_token


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(orjson.loads(record.getMessage()))


@pytest.fixture
def audit_lines() -> Any:
    handler = Lines()
    logger = logging.getLogger("gati.audit")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(old)


def audited_app() -> App:
    app = App(auth=JWTAuth(HS_KEY, algorithms=["HS256"]), audit=True)

    async def flaky(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if lctx.state.get("tried") is None and req.query.get("flaky"):
            lctx.state.set("tried", True)
            raise RuntimeError("first attempt fails")

    @app.get("/ok", hooks=[Hook(flaky, kind="before", level="route", retries=1, backoff=0)])
    async def ok(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "ok"

    @app.delete("/admin", roles=["admin"])
    async def admin(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(204)

    @app.post("/items", request=gt.object({"n": gt.integer()}), auth=False, rate_limit="3/hour")
    async def items(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return req.validated

    @app.get("/boom", auth=False)
    async def boom(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise RuntimeError("the secret is hunter2")

    @app.get("/teapot", auth=False)
    async def teapot(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise HTTPError(418, "short and stout")

    async def answer(exc: Exception, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(409).json({"handled": True})

    @app.get("/caught", auth=False, hooks=[Hook(answer, kind="catch", level="route")])
    async def caught(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise RuntimeError("handled by the catch hook")

    return app


REQUESTS = {
    "ok": ("GET", "/ok", {"headers": bearer(hs_token())}, 200),
    "retried": ("GET", "/ok?flaky=1", {"headers": bearer(hs_token())}, 200),
    "unauthenticated": ("GET", "/ok", {}, 401),
    "forbidden": ("DELETE", "/admin", {"headers": bearer(hs_token(roles=[]))}, 403),
    "admin": ("DELETE", "/admin", {"headers": bearer(hs_token())}, 204),
    "invalid": ("POST", "/items", {"json": {"n": "x"}}, None),
    "crash": ("GET", "/boom", {}, 500),
    "teapot": ("GET", "/teapot", {}, 418),
    "caught": ("GET", "/caught", {}, 409),
    "not found": ("GET", "/nowhere", {}, 404),
    "wrong method": ("PUT", "/ok", {}, 405),
}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(sorted(REQUESTS)), min_size=1, max_size=12))
def test_property_42_one_complete_line_per_request(kinds: list[str]) -> None:
    """Property 42: every request leaves exactly one audit line whose request id, handler,
    principal and status match what the client saw, and no line carries a body or secret."""
    handler = Lines()
    logger = logging.getLogger("gati.audit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        answers = asyncio.run(_send(kinds))
    finally:
        logger.removeHandler(handler)
    lines = {line["request_id"]: line for line in handler.lines}
    assert len(handler.lines) == len(kinds) == len(lines)
    for kind, r in zip(kinds, answers, strict=True):
        line = lines[r.headers["x-request-id"]]
        expected = REQUESTS[kind][3]
        if expected is not None:
            assert r.status_code == expected
        assert line["status"] == r.status_code
        assert line["method"] == REQUESTS[kind][0]
        assert line["principal"] == ("alice" if kind in ("ok", "retried", "admin") else None)
        assert line["client"] == "127.0.0.1"
        assert line["duration_ms"] >= 0
        summary = line["lifecycle"]
        if kind == "retried":
            assert summary["retries"] == 1 and summary["errors"] == 1
        if kind in ("crash", "caught"):
            assert summary["failure"] == "RuntimeError"
        assert line["phase"] == (
            "completed" if r.status_code < 400 or kind == "caught" else "error"
        )
        assert "hunter2" not in orjson.dumps(line).decode()
        assert '"n"' not in orjson.dumps(line).decode()


async def _send(kinds: list[str]) -> list[Any]:
    async with AsyncTestClient(audited_app()) as client:
        return [
            await client.request(REQUESTS[k][0], REQUESTS[k][1], **REQUESTS[k][2]) for k in kinds
        ]


async def test_the_line_names_handler_route_version_and_fingerprint(audit_lines: Any) -> None:
    app = App(audit=AuditLog(fingerprints={"books.list": "sha256:abc"}))

    @app.get("/books", id="books.list", version="2025-11-01")
    async def books(req: Any, res: Any, lctx: Any, gctx: Any) -> list[str]:
        return []

    async with AsyncTestClient(app) as client:
        await client.get("/books")
    (line,) = audit_lines
    assert line["handler_id"] == "books.list"
    assert line["route"] == "/books"
    assert line["fingerprint"] == "sha256:abc"
    assert line["phase"] == "completed"
    assert line["lifecycle"] == {"hooks": 1, "retries": 0, "errors": 0, "failure": None}


async def test_audit_is_off_by_default(audit_lines: Any) -> None:
    app = App()
    app.get("/x")(lambda req, res, lctx, gctx: "x")
    async with AsyncTestClient(app) as client:
        await client.get("/x")
    assert audit_lines == []
    assert app.emitter.listeners == ()


async def test_requests_no_route_takes_get_their_line_too(audit_lines: Any) -> None:
    """The audit step is the app's (``App.add_step``): 404s and 405s, answered by the
    not-routed stand-in, are audited like routed requests."""
    app = App(audit=True)

    @app.get("/here")
    async def here(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "here"

    async with AsyncTestClient(app) as client:
        missing = await client.get("/nowhere")
        wrong = await client.post("/here")
        await asyncio.sleep(0)
    assert (missing.status_code, wrong.status_code) == (404, 405)
    by_id = {line["request_id"]: line for line in audit_lines}
    for r in (missing, wrong):
        line = by_id[r.headers["x-request-id"]]
        assert line["status"] == r.status_code
        assert line["handler_id"] == "gati.not_routed"
        assert line["phase"] == "error"
    assert [h.id for h in app.steps] == ["gati.audit"]


@pytest.mark.parametrize("audit", ["yes", 1, logging.getLogger("audit")])
def test_an_audit_option_that_is_no_bool_nor_audit_log_is_a_type_error(audit: Any) -> None:
    # it was an AttributeError from inside App()
    with pytest.raises(TypeError, match="audit= takes True, False or an AuditLog"):
        App(audit=audit)
