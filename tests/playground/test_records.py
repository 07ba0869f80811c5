"""What the Playground records of a request: summary, request and response (redacted),
timeline, the state at each hook boundary (Property 44), and the API around them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, HTTPError
from gati.testing import TestClient
from tests.playground.apps import SECRET, V1, V2, make_app


def newest(client: TestClient) -> dict[str, Any]:
    summary = client.get("/_gati/api/requests?limit=1").json()["requests"][0]
    return dict(client.get(f"/_gati/api/requests/{summary['id']}").json())


def test_the_list_is_newest_first_with_the_summary_fields() -> None:
    client = TestClient(make_app())
    client.get("/items/1", headers={"gati-version": V1})
    client.get("/items/2")
    client.get("/nowhere")
    listed = client.get("/_gati/api/requests").json()["requests"]
    assert [r["path"] for r in listed] == ["/nowhere", "/items/2", "/items/1"]
    assert [r["status"] for r in listed] == [404, 200, 200]
    assert [r["version"] for r in listed] == [None, V2, V1]
    assert listed[1]["route"] == "/items/{id:int}"
    assert listed[0]["route"] is None and listed[0]["handler_id"] is None
    assert set(listed[0]) == {
        "id", "request_id", "method", "path", "route", "handler_id", "version", "status",
        "duration_ms", "started_at", "replay_of",
    }  # fmt: skip
    assert len(client.get("/_gati/api/requests?limit=2").json()["requests"]) == 2
    assert client.get("/_gati/api/requests?limit=0").status_code == 400
    assert client.get("/_gati/api/requests?limit=x").status_code == 400
    huge = client.get(f"/_gati/api/requests?limit={10**30}")  # past 64 bits: everything kept
    assert huge.status_code == 200 and len(huge.json()["requests"]) == len(listed)


def test_health_probes_are_not_recorded() -> None:
    client = TestClient(make_app())
    client.get("/healthz")
    client.get("/openapi.json")
    assert client.get("/_gati/api/requests").json() == {"requests": []}


def test_an_unknown_record_is_a_404_problem() -> None:
    r = TestClient(make_app()).get("/_gati/api/requests/999")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_a_record_holds_request_response_timeline_and_versions() -> None:
    client = TestClient(make_app())
    client.post("/echo?x=1", json={"a": [1, 2]}, headers={"x-user": "ann"})
    rec = newest(client)
    assert rec["request"]["method"] == "POST"
    assert rec["request"]["query"] == "x=1"
    assert rec["request"]["body"] == {"a": [1, 2]}
    assert rec["response"]["status"] == 200
    assert rec["response"]["body"]["got"] == {"a": [1, 2]}
    assert ["x-request-id", rec["request_id"]] in rec["response"]["headers"]
    phases = [s["phase"] for s in rec["timeline"]]
    assert phases == ["ingress", "hook", "handler", "response"]
    assert [s["name"] for s in rec["timeline"] if s["phase"] == "hook"] == ["tag_user"]
    assert all(s["outcome"] == "ok" for s in rec["timeline"])
    assert rec["versions"] == []
    client.get("/items/1")
    assert newest(client)["versions"] == [V1, V2]


def test_secrets_are_redacted_in_headers_bodies_and_state() -> None:
    client = TestClient(make_app())
    headers = {
        "authorization": "Bearer abc",
        "cookie": "session=xyz",
        "x-api-key": "k-1",
        "x-auth-token": "t-1",
    }
    client.post("/echo", json={"pw": SECRET}, headers=headers)
    rec = newest(client)
    shown = dict(rec["request"]["headers"])
    for name in headers:
        assert shown[name] == "***"
    assert rec["request"]["body"] == {"pw": "***"}
    assert rec["response"]["body"]["key"] == "***"
    assert SECRET not in str(rec)


def test_the_timeline_shows_retries_errors_and_the_failing_handler() -> None:
    app = App(playground=True)
    attempts = []

    @app.hook("before", id="flaky", retries=1, backoff=0.001)
    async def flaky(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first try fails")

    @app.get("/boom")
    async def boom(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise HTTPError(409, "conflict")

    client = TestClient(app)
    assert client.get("/boom").status_code == 409
    rec = newest(client)
    hooks = [(s["name"], s["outcome"]) for s in rec["timeline"] if s["phase"] == "hook"]
    assert hooks == [("flaky", "retry"), ("flaky", "ok")]
    (handler,) = [s for s in rec["timeline"] if s["phase"] == "handler"]
    assert handler["outcome"] == "error" and "conflict" in handler["detail"]
    assert rec["status"] == 409 and rec["response"]["body"]["status"] == 409


def test_versions_and_transforms_appear_in_the_timeline() -> None:
    app = App(playground=True)

    @app.get("/c", version=V2)
    async def c(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"first": "A", "last": "B"}

    @app.transformer("/c", from_=V1, to=V2)
    class Names:
        def request(self, req: Any, lctx: Any) -> None:
            pass

        def response(self, res: Any, lctx: Any) -> None:
            res.body = {"name": f"{res.body['first']} {res.body['last']}"}

    client = TestClient(app)
    assert client.get("/c", headers={"gati-version": V1}).json() == {"name": "A B"}
    rec = newest(client)
    steps = [(s["phase"], s["name"]) for s in rec["timeline"]][:3]
    assert steps == [("ingress", "ingress"), ("version", V1), ("transform", f"{V1} → {V2}")]


class Hooks:
    """An app whose before hooks each apply one list of state writes."""

    def __init__(self, writes: list[list[tuple[str, int | None]]]) -> None:
        self.app = App(playground=True)
        for i, ops in enumerate(writes):
            self.app.hook("before", self._hook(ops), id=f"h{i}")

        @self.app.get("/run")
        async def run(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
            lctx.state.set("handled", True)
            return {"ok": True}

    @staticmethod
    def _hook(ops: list[tuple[str, int | None]]) -> Any:
        async def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            for key, value in ops:
                if value is None:
                    lctx.state.delete(key)
                else:
                    lctx.state.set(key, value)

        return hook


writes = st.lists(
    st.lists(st.tuples(st.sampled_from("abc"), st.none() | st.integers(-5, 5)), max_size=4),
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(writes)
def test_property_44_the_state_at_each_hook_boundary_is_kept_as_it_was(
    ops: list[list[tuple[str, int | None]]],
) -> None:
    """Property 44: one snapshot before and after every hook and the handler, each holding
    the state of that moment, untouched by what later hooks did."""
    client = TestClient(Hooks(ops).app)
    client.get("/run")
    rec = newest(client)
    model: dict[str, int | bool] = {}
    expected = []
    for i, hook_ops in enumerate(ops):
        expected.append((f"before:h{i}", dict(model)))
        for key, value in hook_ops:
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        expected.append((f"after:h{i}", dict(model)))
    expected.append(("before:handler", dict(model)))
    model["handled"] = True
    expected.append(("after:handler", dict(model)))
    assert [(s["boundary"], s["state"]) for s in rec["snapshots"]] == expected


def chunked(app: App, chunks: list[bytes]) -> list[dict[str, Any]]:
    """POST /echo-raw with ``chunks`` as separate ``http.request`` messages, no length."""
    import asyncio

    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/raw",
        "query_string": b"",
        "headers": [(b"content-type", b"text/plain")],
        "client": ("127.0.0.1", 1),
    }
    asyncio.run(app(scope, receive, send))
    return sent


def raw_app(max_bytes: int) -> App:
    app = App(playground=True, playground_buffer=(10, max_bytes))

    @app.post("/raw")
    async def raw(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"got": len(await req.body())}

    return app


def test_a_chunked_body_is_recorded_and_still_reaches_the_handler() -> None:
    app = raw_app(1024 * 1024)
    sent = chunked(app, [b"abc", b"def", b"ghi"])
    assert sent[1]["body"] == b'{"got":9}'
    rec = newest(TestClient(app))
    assert rec["request"]["body"] == "abcdefghi"


def test_a_chunked_body_past_the_byte_bound_is_not_kept_but_reaches_the_handler() -> None:
    app = raw_app(4096)
    sent = chunked(app, [b"x" * 3000, b"y" * 3000, b"z" * 10])
    assert sent[1]["body"] == b'{"got":6010}'
    rec = newest(TestClient(app))
    assert rec["request"]["body"].startswith("(not kept")
    assert app.playground.buffer.bytes <= 4096


@pytest.mark.parametrize("body", [b"", b"abc", b"x" * 5000])
def test_a_body_in_one_message_is_kept_within_the_bound_and_always_reaches_the_handler(
    body: bytes,
) -> None:
    app = raw_app(4096)
    sent = chunked(app, [body])
    assert sent[1]["body"] == b'{"got":%d}' % len(body)
    rec = newest(TestClient(app))
    if len(body) > 4096:
        assert rec["request"]["body"].startswith("(not kept")
    else:
        assert rec["request"]["body"] == (body.decode() or None)


def test_recording_a_request_makes_no_meta() -> None:
    """The record reads the routing facts from the context: a request whose code never reads
    ``lctx.meta`` has none made, recorded or not, and its record still names it."""
    app = App(playground=True)
    made: list[Any] = []

    @app.get("/plain")
    async def plain(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        made.append(lctx.meta_if_made)
        return {"ok": True}

    client = TestClient(app)
    client.get("/plain?q=1")
    rec = newest(client)
    assert made == [None]
    assert (rec["method"], rec["path"], rec["route"], rec["status"]) == (
        "GET",
        "/plain",
        "/plain",
        200,
    )
    assert rec["request_id"] and rec["handler_id"]
    assert rec["response"]["body"] == {"ok": True}
