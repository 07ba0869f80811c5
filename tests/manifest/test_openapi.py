"""OpenAPI 3.1 documents from registered routes: paths, parameters, bodies, problem
responses, components, docstrings and route options; every document validates."""

from __future__ import annotations

from typing import Any

import pytest
from examples.bookstore import create_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from gati import APIKeyAuth, App, Principal, gt
from gati.testing import TestClient


async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """Do one thing.

    In more words, over
    two lines.
    """


def ops(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return doc["paths"][path]


def test_the_demo_document_validates_and_lists_every_operation() -> None:
    doc = create_app().openapi()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Bookstore", "version": "1.0.0"}
    assert sorted(doc["paths"]) == [
        "/books", "/books/{book_id}", "/customers", "/customers/{id}", "/healthz", "/readyz",
        "/stats",
    ]  # fmt: skip
    assert sorted(ops(doc, "/books")) == ["get", "post"]
    assert sorted(ops(doc, "/books/{book_id}")) == ["delete", "get", "put"]


def test_path_query_and_body_become_parameters_and_request_bodies() -> None:
    doc = create_app().openapi()
    get = ops(doc, "/books/{book_id}")["get"]
    assert get["parameters"] == [
        {
            "name": "book_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        }
    ]
    listing = ops(doc, "/books")["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["in"] == "query" and "required" not in limit
    assert limit["schema"]["default"] == 20
    assert limit["description"] == "At most this many books."
    post = ops(doc, "/books")["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Book"}
    assert doc["components"]["schemas"]["Book"]["description"] == "A book as clients submit it."


def test_named_schemas_become_components_referred_to_by_ref() -> None:
    doc = create_app().openapi()
    schemas = doc["components"]["schemas"]
    assert {"Book", "StoredBook", "BookList", "Stats", "Problem"} <= set(schemas)
    items = schemas["BookList"]["properties"]["items"]
    assert items == {"type": "array", "items": {"$ref": "#/components/schemas/StoredBook"}}


def test_recursive_schemas_export_through_components() -> None:
    app = App()
    node = gt.object({"children": gt.array(gt.ref("Node"))}, name="Node")
    app.post("/tree", request=node, response=node)(handler)
    doc = app.openapi()
    validate(doc)
    assert doc["components"]["schemas"]["Node"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Node"
    }


def test_every_problem_a_route_can_produce_is_documented() -> None:
    app = App(auth=APIKeyAuth({"key": Principal("p", ["admin"])}))
    app.post(
        "/items/{id:int}",
        request=gt.object({"a": gt.integer()}),
        roles=["admin"],
        rate_limit="10/minute",
    )(handler)
    app.get("/plain", timeout=None, auth=False)(handler)
    doc = app.openapi()
    validate(doc)
    post = ops(doc, "/items/{id}")["post"]
    assert sorted(post["responses"]) == [
        "200", "400", "401", "403", "404", "413", "415", "429", "500", "504",
    ]  # fmt: skip
    problem = post["responses"]["400"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "Retry-After" in post["responses"]["429"]["headers"]
    assert post["x-ratelimit"]["limit"] == 10 and post["x-gati-roles"] == ["admin"]
    assert post["security"] == [{"apiKey-X-API-Key": []}]
    assert sorted(ops(doc, "/plain")["get"]["responses"]) == ["200", "400", "500"]


def test_docstring_gives_summary_and_description_and_options_override() -> None:
    app = App()
    app.get("/a")(handler)
    app.get("/b", summary="Bee", tags=["x", "y"], deprecated=True)(handler)
    doc = app.openapi()
    a, b = ops(doc, "/a")["get"], ops(doc, "/b")["get"]
    assert a["summary"] == "Do one thing."
    assert a["description"] == "In more words, over\ntwo lines."
    assert (b["summary"], b["tags"], b["deprecated"]) == ("Bee", ["x", "y"], True)
    assert a["operationId"] != b["operationId"]


def test_responses_option_documents_extra_statuses() -> None:
    app = App()
    Conflict = gt.object({"reason": gt.string()}, name="Conflict")
    app.post(
        "/things",
        response=gt.object({"id": gt.integer()}),
        responses={201: "Created", 409: Conflict, 410: "Gone for good"},
    )(handler)
    app.delete("/things/{id}", responses={204: None})(handler)
    doc = app.openapi()
    validate(doc)
    post = ops(doc, "/things")["post"]["responses"]
    assert "200" not in post
    assert post["201"]["content"]["application/json"]["schema"]["properties"]["id"]
    assert post["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    assert post["410"]["description"] == "Gone for good"
    assert "application/problem+json" in post["410"]["content"]
    assert ops(doc, "/things/{id}")["delete"]["responses"]["204"] == {
        "description": "Successful response"
    }


def test_a_bad_responses_key_is_refused_at_registration() -> None:
    with pytest.raises(ValueError, match="status codes"):
        App().get("/x", responses={"200": "ok"})(handler)


def test_two_different_schemas_with_one_name_are_an_error() -> None:
    app = App()
    app.post("/a", request=gt.object({"a": gt.string()}, name="Same"))(handler)
    app.post("/b", request=gt.object({"b": gt.string()}, name="Same"))(handler)
    with pytest.raises(ValueError, match="'Same'"):
        app.openapi()


def test_one_document_per_version() -> None:
    app = App()
    app.get("/old", version="2025-01-01")(handler)
    app.get("/new", version="2025-06-01")(handler)
    latest = app.openapi()
    assert latest["x-gati-versions"] == ["2025-01-01", "2025-06-01"]
    assert latest["info"]["version"] == "2025-06-01"
    early = app.openapi(version="2025-03-01")
    validate(early)
    assert early["info"]["version"] == "2025-03-01"
    assert early["paths"]["/old"]["get"]["x-gati-version"] == "2025-01-01"


def test_served_at_openapi_json_with_version_from_query_or_header() -> None:
    app = App()
    app.get("/v", version="2025-01-01")(handler)
    with TestClient(app) as client:
        r = client.get("/openapi.json")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.json() == app.openapi()
        between = client.get("/openapi.json?version=2025-02-01").json()
        assert between == app.openapi(version="2025-01-01")
        by_header = client.get("/openapi.json", headers={"Gati-Version": "2025-01-01"})
        assert by_header.json()["info"]["version"] == "2025-01-01"
        bad = client.get("/openapi.json?version=nonsense")
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
        assert "2025-01-01" in bad.json()["detail"]


def test_the_document_follows_routes_added_after_it_was_served() -> None:
    app = App()
    with TestClient(app) as client:
        assert "/late" not in client.get("/openapi.json").json()["paths"]
        app.get("/late")(handler)
        assert "/late" in client.get("/openapi.json").json()["paths"]


def test_openapi_and_docs_paths_can_move_or_be_turned_off() -> None:
    moved = App(openapi_path="/spec.json", docs_path="/reference")
    off = App(openapi_path=None, docs_path=None)
    with TestClient(moved) as client:
        assert client.get("/spec.json").status_code == 200
        assert client.get("/reference").status_code == 200
        assert client.get("/openapi.json").status_code == 404
    with TestClient(off) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404
    with pytest.raises(ValueError, match="docs_path"):
        App(openapi_path=None)


def test_the_document_and_docs_routes_do_not_document_themselves() -> None:
    paths = App().openapi()["paths"]
    assert "/openapi.json" not in paths and "/docs" not in paths


_leaf = st.sampled_from(
    [
        gt.string(min_length=1, description="text"),
        gt.integer(min=0, default=3),
        gt.number(max=10.5),
        gt.boolean(),
        gt.literal("a", "b"),
        gt.string(format="email", nullable=True),
    ]
)
_schema = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(gt.array, inner, max_items=st.none() | st.integers(0, 5)),
        st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=4).map(
            gt.object
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda ms: gt.union(*ms)),
        inner.map(gt.optional).map(lambda s: gt.object({"x": s})),
    ),
    max_leaves=8,
)
_route = st.tuples(
    st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    st.lists(st.sampled_from(["a", "b", "{id:int}", "{slug}", "{u:uuid}"]), max_size=3),
    st.none() | _schema,
    st.none() | _schema,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_route, max_size=6))
def test_generated_apps_give_valid_documents(routes: list[Any]) -> None:
    """Random schemas on random routes always give a valid OpenAPI 3.1 document."""
    app = App()
    for method, parts, request, response in routes:
        names = [p for p in parts if p.startswith("{")]
        if len(names) != len(set(names)):
            continue
        path = "/" + "/".join(parts)
        try:
            app.route(method, path, request=request, response=response)(handler)
        except ValueError:
            continue  # the same method and path twice
    validate(app.openapi())


def test_security_schemes_are_shared_components_and_any_one_suffices() -> None:
    from gati.manifest.openapi import build_document
    from gati.manifest.operations import Operation

    key = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    bearer = {"type": "http", "scheme": "bearer"}
    ops = [
        Operation("GET", "/a", "a", auth=True, roles=("admin",), security=(key, bearer),
                  rate_limit={"limit": 5, "period": 60, "burst": 5, "cost": 1}),
        Operation("POST", "/b", "b", auth=True, security=(key,)),
        Operation("GET", "/c", "c"),
    ]  # fmt: skip
    doc = build_document(ops)
    validate(doc)
    assert doc["components"]["securitySchemes"] == {
        "apiKey-X-API-Key": key,
        "http-bearer": bearer,
    }
    a = doc["paths"]["/a"]["get"]
    assert a["security"] == [{"apiKey-X-API-Key": []}, {"http-bearer": []}]
    assert {"401", "403", "429"} <= set(a["responses"])
    assert a["x-ratelimit"]["limit"] == 5
    assert doc["paths"]["/b"]["post"]["security"] == [{"apiKey-X-API-Key": []}]
    assert "security" not in doc["paths"]["/c"]["get"]


def test_header_and_cookie_schemas_become_parameters() -> None:
    from gati.manifest.openapi import build_document
    from gati.manifest.operations import Operation

    headers = gt.object({"X-Trace": gt.string(description="a trace id"),
                         "X-Page": gt.optional(gt.integer(min=1))}).core()  # fmt: skip
    cookies = gt.object({"session": gt.string(min_length=16)}).core()
    doc = build_document([Operation("GET", "/a", "a", headers=headers, cookies=cookies)])
    validate(doc)
    params = {(p["in"], p["name"]): p for p in doc["paths"]["/a"]["get"]["parameters"]}
    assert params[("header", "X-Trace")]["required"] is True
    assert params[("header", "X-Trace")]["description"] == "a trace id"
    assert "required" not in params[("header", "X-Page")]
    assert params[("cookie", "session")]["schema"] == {"type": "string", "minLength": 16}


def test_route_header_and_cookie_options_are_documented_as_sent() -> None:
    app = App()
    app.get(
        "/me",
        headers=gt.object({"x_api_key": gt.string(min_length=1)}),
        cookies=gt.object({"session": gt.optional(gt.string())}),
    )(handler)
    doc = app.openapi()
    validate(doc)
    params = {(p["in"], p["name"]): p for p in doc["paths"]["/me"]["get"]["parameters"]}
    assert params[("header", "x-api-key")]["required"] is True
    assert ("cookie", "session") in params
    with TestClient(app) as client:
        assert client.get("/me", headers={"x-api-key": "k"}).status_code == 200
        assert client.get("/me").status_code == 400
