"""Request and response validation over HTTP (Properties 10, 11) and error structure (12)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import App, HTTPError, gt
from gati.testing import AsyncTestClient, invoke

User = gt.object(
    {
        "email": gt.string(format="email"),
        "age": gt.integer(min=18, max=100),
        "name": gt.string(min_length=1, max_length=100),
        "tags": gt.array(gt.string(max_length=20), max_items=10),
        "nick": gt.optional(gt.string()),
    },
    extra="forbid",
)
VALIDATOR = gt.compile(User)
Query = gt.object(
    {"limit": gt.optional(gt.integer(min=1, max=50)), "deep": gt.optional(gt.boolean())},
    extra="forbid",
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=25),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
users = st.fixed_dictionaries(
    {
        "email": st.sampled_from(["a@b.co", "not-an-email", "x@y.org"]),
        "age": st.integers(0, 120),
        "name": st.text(max_size=3),
        "tags": st.lists(st.text(max_size=22), max_size=11),
    },
    optional={"nick": st.text(max_size=5) | st.integers(-5, 5), "extra": st.just(1)},
)


def make_app(calls: list[Any]) -> App:
    app = App()

    @app.post("/users", request=User, response=User)
    async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        calls.append(req.validated)
        res.status(201).json(req.validated)

    @app.post("/out", response=User)
    async def out(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json(await req.json())

    @app.get("/items", query=Query)
    async def items(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return req.query_validated

    @app.get("/err/{status:int}")
    async def err(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise HTTPError(req.path_params["status"], "chosen")

    return app


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str)
    assert body["type"] == "about:blank"
    assert body["request_id"] == r.headers["x-request-id"]
    return body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(users, json_values))
async def test_property_10_request_validation_before_handler(body: Any) -> None:
    """Property 10: the handler runs iff the body is valid; otherwise 400 lists the errors."""
    calls: list[Any] = []
    async with AsyncTestClient(make_app(calls)) as client:
        r = await client.post(
            "/users", content=orjson.dumps(body), headers={"content-type": "application/json"}
        )
    if VALIDATOR.is_valid(body):
        assert r.status_code == 201
        assert calls == [body]
        assert r.json() == body
    else:
        problem = assert_problem(r, 400)
        assert calls == []
        expected = validator_errors(body)
        assert [(e["code"], e["path"]) for e in problem["errors"]] == expected
        assert {e["location"] for e in problem["errors"]} == {"body"}


def validator_errors(body: Any) -> list[tuple[str, list[Any]]]:
    try:
        VALIDATOR.validate(body)
    except Exception as exc:
        return [(e["code"], list(e["path"])) for e in exc.errors()]  # type: ignore[attr-defined]
    return []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(users, json_values))
async def test_property_11_response_validation_after_handler(value: Any) -> None:
    """Property 11: a response that fails its schema is a 500 without the value leaking."""
    async with AsyncTestClient(make_app([])) as client:
        r = await client.post("/out", content=orjson.dumps(value))
    if VALIDATOR.is_valid(value):
        assert (r.status_code, r.json()) == (200, value)
    else:
        body = assert_problem(r, 500)
        assert "errors" not in body


@settings(max_examples=40, deadline=None)
@given(st.integers(400, 599))
async def test_property_12_error_structure(status: int) -> None:
    """Property 12: every error is an RFC 9457 problem carrying the request id."""
    async with AsyncTestClient(make_app([])) as client:
        r = await client.get(f"/err/{status}")
    body = assert_problem(r, status)
    assert body["detail"] == "chosen"


async def test_wrong_content_type_is_415_and_bad_json_is_400() -> None:
    async with AsyncTestClient(make_app([])) as client:
        r = await client.post("/users", content=b"email=a", headers={"content-type": "text/plain"})
        assert_problem(r, 415)
        r = await client.post("/users", content=b"{}")
        assert_problem(r, 415)
        r = await client.post(
            "/users", content=b'{"email": "a@b.co",', headers={"content-type": "application/json"}
        )
        body = assert_problem(r, 400)
        assert body["errors"][0]["code"] == "json_invalid"
        deep = b"[" * 10_000 + b"]" * 10_000
        r = await client.post("/users", content=deep, headers={"content-type": "application/json"})
        body = assert_problem(r, 400)
        assert body["errors"][0]["code"] == "depth_exceeded"
        r = await client.post(
            "/users",
            content=b'{"email":"a@b.co","age":30,"name":"A","tags":[]}',
            headers={"content-type": "application/vnd.api+json; charset=utf-8"},
        )
        assert r.status_code == 201


async def test_query_is_coerced_then_validated() -> None:
    async with AsyncTestClient(make_app([])) as client:
        assert (await client.get("/items?limit=5&deep=true")).json() == {"limit": 5, "deep": True}
        body = assert_problem(await client.get("/items?limit=500"), 400)
        assert body["errors"][0]["location"] == "query"
        assert body["errors"][0]["path"] == ["limit"]
        assert_problem(await client.get("/items?limit=ten"), 400)
        assert_problem(await client.get("/items?other=1"), 400)


async def test_response_failure_is_logged(caplog: Any) -> None:
    async with AsyncTestClient(make_app([])) as client:
        r = await client.post("/out", content=b'{"email": 1}')
    assert r.status_code == 500
    assert any("failed validation" in rec.getMessage() for rec in caplog.records)


async def test_invoke_runs_validation_and_reports_events() -> None:
    async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"hello": req.validated["name"], "db": gctx.modules.db, "cfg": gctx.config["x"]}

    ok = await invoke(
        create,
        body={"email": "a@b.co", "age": 30, "name": "Ann", "tags": []},
        request=User,
        modules={"db": "fake"},
        config={"x": 1},
    )
    assert (ok.status, ok.json()) == (200, {"hello": "Ann", "db": "fake", "cfg": 1})
    assert [e["type"] for e in ok.events] == [
        "request.start",
        "handler.start",
        "handler.end",
        "request.end",
    ]
    bad = await invoke(create, body={"email": "nope"}, request=User)
    assert bad.status == 400
    assert "validation.error" in [e["type"] for e in bad.events]
    assert bad.headers["content-type"] == "application/problem+json"


async def test_invoke_with_path_params() -> None:
    async def get(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["id"], "rid": lctx.meta.request_id}

    out = await invoke(get, method="GET", params={"id": 7}, headers={"x-request-id": "abc"})
    assert out.json() == {"id": 7, "rid": "abc"}


async def _handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return req.path_params


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        # each answered every request with a 400 naming the client's input
        ("/a", {"query": gt.integer()}, r"query= is validated as a mapping.*not integer"),
        ("/a/{id}", {"params": gt.string()}, r"params= is validated as a mapping.*not string"),
        ("/a/{id}", {"params": gt.compile(gt.array(gt.string()))}, r"not array"),
        (
            "/a/{id}",
            {"params": gt.object({"ident": gt.integer()})},
            r"params= requires \['ident'\], which '/a/\{id\}' does not name; its path "
            r"parameters are \['id'\]",
        ),
        (
            "/a/{id:int}/{slug}",
            {"params": gt.object({"id": gt.integer()}, extra="forbid")},
            r"params= forbids extra properties but does not declare \['slug'\]",
        ),
    ],
)
def test_a_query_or_params_schema_that_fails_every_request_is_refused_at_registration(
    path: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        App().get(path, **options)(_handler)


async def test_params_schemas_that_fit_the_path_are_served() -> None:
    app = App()
    # optional properties the path lacks, records and refs stay allowed
    app.get("/a/{id:int}", params=gt.object({"id": gt.integer(), "x": gt.optional(gt.string())}))(
        _handler
    )
    app.get("/b/{name}", params=gt.record(gt.string(max_length=3)))(_handler)
    app.get("/c", query=gt.union(gt.object({"q": gt.string()}), gt.object({})))(_handler)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/a/7")).json() == {"id": 7}
        assert (await client.get("/b/abcd")).status_code == 400
        assert (await client.get("/c?q=x")).status_code == 200
