"""The versions view and the OpenAPI links."""

from __future__ import annotations

from typing import Any

from gati import App
from gati.testing import TestClient
from tests.playground.apps import V1, V2, make_app


def test_each_route_lists_its_versions_with_flags_and_traffic() -> None:
    app = make_app()
    app.timescape.deprecate(V1, sunset="2027-01-01")
    client = TestClient(app)
    client.get("/items/1", headers={"gati-version": V1})
    client.get("/items/1")
    client.get("/items/2")
    routes = {r["route"]: r["versions"] for r in client.get("/_gati/api/versions").json()["routes"]}
    assert routes["GET /state"] == [] and routes["POST /echo"] == []
    assert "GET /healthz" not in routes
    old, new = routes["GET /items/{id:int}"]
    assert (old["version"], old["implementation"], old["requests"]) == (
        V1,
        "tests.playground.apps.make_app.<locals>.item_v1",
        1,
    )
    assert (old["deprecated"], old["sunset"], old["breaking"]) == (True, "2027-01-01", False)
    assert (new["version"], new["requests"], new["breaking"], new["deprecated"]) == (
        V2,
        2,
        True,
        False,
    )
    assert old["transformers"] == new["transformers"] == []


def test_transformers_are_listed_on_the_version_they_leave() -> None:
    app = App(playground=True)

    @app.get("/c", version=V2)
    async def c(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {}

    @app.transformer("/c", from_=V1, to=V2)
    class Hop:
        def request(self, req: Any, lctx: Any) -> None:
            pass

        def response(self, res: Any, lctx: Any) -> None:
            pass

    (route,) = TestClient(app).get("/_gati/api/versions").json()["routes"]
    assert route["route"] == "GET /c"
    assert [(v["version"], v["implementation"], v["transformers"]) for v in route["versions"]] == [
        (V1, None, [f"{V1} → {V2}"]),
        (
            V2,
            "tests.playground.test_versions.test_transformers_are_listed_on_the_version_they_leave.<locals>.c",
            [],
        ),
    ]


def test_the_openapi_links_follow_the_app() -> None:
    assert TestClient(make_app()).get("/_gati/api/openapi").json() == {
        "openapi": "/openapi.json",
        "docs": "/docs",
    }
    bare = App(playground=True, openapi_path=None, docs_path=None)
    assert TestClient(bare).get("/_gati/api/openapi").json() == {"openapi": None, "docs": None}


def test_head_requests_are_recorded_against_their_get_route() -> None:
    client = TestClient(make_app())
    client.head("/items/1")
    summary = client.get("/_gati/api/requests").json()["requests"][0]
    record = client.get(f"/_gati/api/requests/{summary['id']}").json()
    assert record["method"] == "HEAD" and record["versions"] == [V1, V2]
