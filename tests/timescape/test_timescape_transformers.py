"""Several live versions (Property 16) and transformer chains (Property 17)."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, HTTPError, gt
from gati.timescape import Timescape, VersionError
from tests.timescape.helpers import request

DAY0 = datetime.date(2024, 1, 1)


def rename_hop(old: str, new: str) -> type:
    class Rename:
        def request(self, req: Any, lctx: Any) -> None:
            req.body[new] = req.body.pop(old)

        def response(self, res: Any, lctx: Any) -> None:
            res.body[old] = res.body.pop(new)

    Rename.__qualname__ = f"Rename_{old}_{new}"
    return Rename


def chain_app(names: list[str], dates: list[str]) -> App:
    """The newest version implements ``POST /echo`` with field ``names[-1]``; hop i renames
    ``names[i]`` to ``names[i + 1]``; every version's shape is declared."""
    app = App()

    def shape(name: str, out: bool = False) -> Any:
        props = {name: gt.string(), "other": gt.integer()}
        if out:
            props["seen"] = gt.array(gt.string())
        return gt.object(props, extra="forbid")

    @app.post("/echo", version=dates[-1], request=shape(names[-1]), response=shape(names[-1], True))
    async def echo(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {**req.validated, "seen": sorted(req.validated)}

    for i in reversed(range(len(names) - 1)):
        app.transformer(
            "/echo",
            from_=dates[i],
            to=dates[i + 1],
            request_schema=shape(names[i]),
            response_schema=shape(names[i], True),
        )(rename_hop(names[i], names[i + 1]))
    return app


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    hops=st.integers(1, 5),
    value=st.text(max_size=20),
    other=st.integers(-(2**31), 2**31),
)
def test_property_17_chains_round_trip(data: Any, hops: int, value: str, other: int) -> None:
    """Property 17: a request at any version is migrated up hop by hop, handled by the newest
    implementation in its shape, and its response migrated back down to the asked shape."""
    names = [f"f{i}" for i in range(hops + 1)]
    days = sorted(
        data.draw(st.lists(st.integers(0, 2000), min_size=hops + 1, max_size=hops + 1, unique=True))
    )
    dates = [(DAY0 + datetime.timedelta(days=d)).isoformat() for d in days]
    app = chain_app(names, dates)
    at = data.draw(st.integers(0, hops))
    r = request(
        app,
        "POST",
        "/echo",
        headers={"gati-version": dates[at]},
        json={names[at]: value, "other": other},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {names[at]: value, "other": other, "seen": sorted([names[-1], "other"])}
    assert r.headers["gati-version"] == dates[at]
    resolution = app.timescape.resolve("POST", "/echo", dates[at])
    assert resolution.served_by == dates[-1]
    assert resolution.hops == tuple(zip(dates[at:-1], dates[at + 1 :], strict=True))
    # the old shape is checked on the way in: the newest shape is refused at an old version
    if at < hops:
        r = request(
            app,
            "POST",
            "/echo",
            headers={"gati-version": dates[at]},
            json={names[-1]: value, "other": other},
        )
        assert r.status_code == 400 and r.headers["gati-version"] == dates[at]


async def test_property_16_two_live_implementations_each_get_their_own_requests() -> None:
    """Property 16: with a breaking step and no transformer both versions stay live, and
    interleaved concurrent requests each reach their own implementation."""
    app = App()

    @app.get("/users/{id:int}", version="2025-01-01", response=gt.object({"name": gt.string()}))
    async def v1(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(0)
        return {"name": f"user {req.path_params['id']}"}

    @app.get("/users/{id:int}", version="2025-06-01", response=gt.object({"first": gt.string()}))
    async def v2(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(0)
        return {"first": f"user {req.path_params['id']}"}

    assert app.timescape.changes("GET", "/users/{id:int}")[0].breaking
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        asks = [("2025-01-01", "name"), ("2025-06-01", "first"), ("2025-03-01", "name")] * 30
        responses = await asyncio.gather(
            *(
                client.get(f"/users/{i}", headers={"gati-version": v})
                for i, (v, _) in enumerate(asks)
            )
        )
    for i, ((_, key), r) in enumerate(zip(asks, responses, strict=True)):
        assert r.json() == {key: f"user {i}"}
    usage = app.timescape.usage()
    assert usage["2025-01-01"]["requests"] == 60 and usage["2025-06-01"]["requests"] == 30


def test_errors_migrate_only_through_hops_that_opt_in() -> None:
    for opt_in in (False, True):
        app = App()

        @app.post("/items", version="2025-06-01", request=gt.object({"title": gt.string()}))
        async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
            raise HTTPError(409, "duplicate", extra={"field": "title"})

        @app.transformer("/items", from_="2025-01-01", to="2025-06-01", errors=opt_in)
        class Title:
            def request(self, req: Any, lctx: Any) -> None:
                req.body["title"] = req.body.pop("name")

            def response(self, res: Any, lctx: Any) -> None:
                if res.status >= 400:
                    res.body["field"] = "name"
                    res.status = 422

        r = request(
            app, "POST", "/items", headers={"gati-version": "2025-01-01"}, json={"name": "x"}
        )
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["gati-version"] == "2025-01-01"
        want = (422, "name") if opt_in else (409, "title")
        assert (r.status_code, r.json()["field"]) == want


def test_a_transformer_that_raises_is_a_500_naming_the_hop() -> None:
    app = App()

    @app.get("/boom", version="2025-06-01")
    async def boom(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": True}

    @app.transformer("/boom", from_="2025-01-01", to="2025-06-01")
    class Broken:
        async def response(self, res: Any, lctx: Any) -> None:
            raise KeyError("first_name")

    r = request(app, path="/boom", headers={"gati-version": "2025-01-01"})
    assert r.status_code == 500
    assert "Broken (2025-01-01 → 2025-06-01)" in r.json()["detail"]
    assert "response" in r.json()["detail"]


def test_transformers_are_checked_and_immutable() -> None:
    app = App()

    @app.get("/x", version="2025-06-01")
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    class Hop:
        def request(self, req: Any, lctx: Any) -> None: ...

    hop = app.timescape.add_transformer("/x", Hop(), from_="2025-01-01", to="2025-06-01")
    with pytest.raises(AttributeError, match="immutable"):
        hop.to = "2025-07-01"  # type: ignore[misc]
    with pytest.raises(VersionError, match="immutable"):
        app.transformer("/x", from_="2025-01-01", to="2025-06-01")(Hop)
    with pytest.raises(VersionError, match="no versioned route"):
        app.transformer("/x", from_="2025-01-01", to="2025-03-01")(Hop)
    with pytest.raises(VersionError, match="older version up"):
        app.transformer("/x", from_="2025-06-01", to="2025-01-01")(Hop)
    with pytest.raises(TypeError, match="neither"):
        app.transformer("/x", from_="2024-01-01", to="2025-01-01")(object)
    assert [v.version for v in app.timescape.versions("GET", "/x")] == ["2025-01-01", "2025-06-01"]


def test_a_hop_whose_methods_cannot_take_their_arguments_is_refused_at_registration() -> None:
    # accepted, it failed every request of the old version with a 500
    app = App()

    @app.get("/x", version="2025-06-01")
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    class NoArguments:
        def response(self) -> None: ...

    class OneArgument:
        async def request(self, req: Any) -> None: ...

    class NotAMethod:
        request = "migrate"

    with pytest.raises(TypeError, match=r"response\(\) must accept response\(res, lctx\)"):
        app.transformer("/x", from_="2025-01-01", to="2025-06-01")(NoArguments)
    with pytest.raises(
        TypeError, match=r"OneArgument: request\(req.*\) must accept request\(req, lctx\)"
    ):
        app.transformer("/x", from_="2025-01-01", to="2025-06-01")(OneArgument)
    with pytest.raises(TypeError, match=r"request must be a method request\(req, lctx\)"):
        app.transformer("/x", from_="2025-01-01", to="2025-06-01")(NotAMethod)
    assert [v.version for v in app.timescape.versions("GET", "/x")] == ["2025-06-01"]


def test_timescape_options_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(TypeError, match=r"health= takes a HealthPolicy, not 0\.5"):
        Timescape(health=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="shared= takes a Redis URL or a SharedTimescape"):
        Timescape(shared=6379)  # type: ignore[arg-type]


def test_hops_can_rewrite_the_query_and_headers() -> None:
    app = App()

    @app.get("/search", version="2025-06-01")
    async def search(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"query": dict(req.query), "lang": req.headers.get("x-lang")}

    @app.transformer("/search", from_="2025-01-01", to="2025-06-01")
    class Renamed:
        def request(self, req: Any, lctx: Any) -> None:
            req.query["search"] = req.query.pop("q")
            req.headers["x-lang"] = req.headers.get("accept-language", "en")

        async def response(self, res: Any, lctx: Any) -> None:
            res.headers["x-migrated"] = "1"

    r = request(app, path="/search?q=dune&version=2025-01-01", headers={"accept-language": "fr"})
    assert r.json() == {"query": {"search": "dune", "version": "2025-01-01"}, "lang": "fr"}
    assert r.headers["x-migrated"] == "1" and r.headers["gati-version"] == "2025-01-01"
