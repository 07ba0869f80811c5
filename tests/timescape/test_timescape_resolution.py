"""Version resolution (Property 33): dates, tags, defaults, the 400s, and the headers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, gt
from gati.timescape import UnknownVersion, VersionError
from tests.timescape.helpers import PATH, add_version, request, versioned_app

DAY0 = datetime.date(2020, 1, 1)
dates = st.integers(0, 3000).map(lambda n: (DAY0 + datetime.timedelta(days=n)).isoformat())
tag_names = st.sampled_from(["stable", "beta", "v-next", "edge"])


def expected_version(
    versions: list[str], earliest: str, tags: dict[str, str], preference: str | None
) -> str | None:
    """The reference model of Property 33: the version served, or None for a 400."""
    if preference is None:
        wanted = tags.get("stable", "9999-12-31")
    elif preference == "latest":
        wanted = "9999-12-31"
    elif preference in tags:
        wanted = tags[preference]
    else:
        try:
            ok = len(preference) == 10 and datetime.date.fromisoformat(preference) is not None
        except ValueError:
            ok = False
        if not ok or preference < earliest:
            return None
        wanted = preference
    older = [v for v in versions if v <= wanted]
    return max(older) if older else min(versions)


preferences = st.one_of(
    st.none(),
    dates,
    tag_names,
    st.just("latest"),
    st.text(max_size=12),
    st.just("2025-02-30"),
)


@settings(max_examples=150, deadline=None)
@given(
    versions=st.lists(dates, min_size=1, max_size=6, unique=True),
    other=st.lists(dates, max_size=3, unique=True),
    tags=st.dictionaries(tag_names, dates, max_size=3),
    preferences=st.lists(preferences, min_size=1, max_size=8),
)
def test_property_33_resolution_matches_the_reference_model(
    versions: list[str],
    other: list[str],
    tags: dict[str, str],
    preferences: list[str | None],
) -> None:
    """Property 33: latest version at or before the asked date; tags first; stable or latest
    by default; before the route's first version → the first; bad or too old → 400."""
    app = versioned_app(versions, other=other)
    for name, date in tags.items():
        app.timescape.tag(name, date)
    earliest = min([*versions, *other])
    for preference in preferences:
        want = expected_version(versions, earliest, tags, preference)
        if want is None:
            with pytest.raises(UnknownVersion):
                app.timescape.resolve("GET", PATH, preference)
        else:
            got = app.timescape.resolve("GET", PATH, preference)
            assert (got.status, got.version, got.served_by) == (200, want, want)


@settings(max_examples=25, deadline=None)
@given(
    versions=st.lists(dates, min_size=1, max_size=4, unique=True),
    preference=preferences,
)
def test_property_33_over_http_with_the_version_header(
    versions: list[str], preference: str | None
) -> None:
    """Property 33 through the ASGI app: the right implementation runs, ``Gati-Version`` and
    ``lctx.meta.version`` hold the resolved date, and a bad preference is a 400 listing the
    versions and tags."""
    app = versioned_app(versions)
    headers = {} if preference is None else {"gati-version": preference}
    if preference is not None:  # HTTP trims header values; an empty one asks for nothing
        preference = preference.strip() or None
    want = expected_version(versions, min(versions), {}, preference)
    try:
        r = request(app, headers=headers)
    except UnicodeEncodeError:
        return  # httpx cannot send non-latin-1 header text; the header tests cover bytes
    if want is None:
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["versions"] == sorted(versions)
        assert "latest" in r.json()["tags"]
    else:
        assert r.status_code == 200
        assert r.json() == {"impl": want, "meta": want}
        assert r.headers["gati-version"] == want


def test_header_then_x_api_version_then_query() -> None:
    app = versioned_app(["2025-01-01", "2025-06-01"])
    old = {"gati-version": "2025-01-01"}
    assert request(app, headers=old).json()["impl"] == "2025-01-01"
    assert request(app, headers={"x-api-version": "2025-02-01"}).json()["impl"] == "2025-01-01"
    assert request(app, path="/things/1?version=2025-03-01").json()["impl"] == "2025-01-01"
    r = request(app, path="/things/1?version=2025-01-01", headers={"gati-version": "latest"})
    assert r.json()["impl"] == "2025-06-01"


def test_stable_tag_is_the_default_and_latest_is_built_in() -> None:
    app = versioned_app(["2025-01-01", "2025-06-01"])
    assert request(app).json()["impl"] == "2025-06-01"
    app.timescape.tag("stable", "2025-03-15")
    assert request(app).json()["impl"] == "2025-01-01"
    assert request(app, headers={"gati-version": "latest"}).json()["impl"] == "2025-06-01"
    app.timescape.tag("stable", "2025-06-01")  # a tag moves
    assert request(app).json()["impl"] == "2025-06-01"


def test_a_date_before_the_routes_first_version_serves_it_if_the_app_knows_older() -> None:
    app = versioned_app(["2025-06-01"], other=["2024-01-01"])
    r = request(app, headers={"gati-version": "2024-06-01"})
    assert (r.status_code, r.json()["impl"]) == (200, "2025-06-01")
    r = request(app, headers={"gati-version": "2023-12-31"})
    assert r.status_code == 400
    assert "older than every version" in r.json()["detail"]


def test_unversioned_routes_ignore_the_preference() -> None:
    app = versioned_app(["2025-01-01"])

    @app.get("/plain")
    async def plain(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"version": lctx.meta.version}

    r = request(app, path="/plain", headers={"gati-version": "garbage!"})
    assert (r.status_code, r.json()) == (200, {"version": None})
    assert "gati-version" not in r.headers


def test_registration_errors_are_clear() -> None:
    app = App()
    with pytest.raises(VersionError, match="ISO date"):
        add_version(app, "June 2025")
    add_version(app, "2025-01-01")
    with pytest.raises(VersionError, match="already has version"):
        add_version(app, "2025-01-01")
    with pytest.raises(VersionError, match="pin_versions"):
        add_version(app, "2025-02-01", pin_versions=True)

    @app.get("/plain")
    async def plain(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    with pytest.raises(ValueError, match="already registered"):

        @app.get("/plain", version="2025-01-01")
        async def versioned(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    with pytest.raises(VersionError):
        app.timescape.tag("latest", "2025-01-01")
    with pytest.raises(VersionError):
        app.timescape.tag("Not A Tag", "2025-01-01")


def test_head_is_served_by_the_versioned_get() -> None:
    app = versioned_app(["2025-01-01"])
    r = request(app, "HEAD", headers={"gati-version": "2025-01-01"})
    assert (r.status_code, r.content, r.headers["gati-version"]) == (200, b"", "2025-01-01")


def test_gctx_timescape_is_the_registry() -> None:
    app = versioned_app(["2025-01-01"])

    @app.get("/ask")
    async def ask(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {
            "versions": [v.version for v in gctx.timescape.versions("GET", PATH)],
            "resolved": gctx.timescape.resolve("GET", PATH, "2026-01-01").version,
            "steps": len(gctx.timescape.changes("GET", PATH)),
            "usage": sorted(gctx.timescape.usage()),
        }

    body = request(app, path="/ask").json()
    assert body == {
        "versions": ["2025-01-01"],
        "resolved": "2025-01-01",
        "steps": 0,
        "usage": ["2025-01-01"],
    }


def test_a_validation_error_on_a_versioned_route_keeps_its_event_and_headers() -> None:
    app = App()
    app.timescape.deprecate("2025-01-01", sunset="2099-01-01")

    @app.post("/notes", version="2025-01-01", request=gt.object({"text": gt.string()}))
    async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return req.validated

    events: list[dict[str, Any]] = []
    app.emitter.subscribe(events.append)
    r = request(app, "POST", "/notes", json={"text": 5})
    assert r.status_code == 400 and r.json()["errors"][0]["path"] == ["text"]
    assert r.headers["gati-version"] == "2025-01-01" and "sunset" in r.headers
    assert "validation.error" in [e["type"] for e in events]
    assert [e["version"] for e in events if e["type"] == "request.start"] == ["2025-01-01"]


def test_introspection_is_json_ready() -> None:
    import json

    app = versioned_app(["2025-01-01", "2025-06-01"], pinned=False)
    assert app.timescape.routes() == [("GET", PATH)]
    infos = [v.as_dict() for v in app.timescape.versions("get", PATH)]
    json.dumps(infos)
    assert [i["served_by"] for i in infos] == ["2025-06-01", "2025-06-01"]
    assert infos[0]["schemas"]["response"]["type"] == "object"
    assert infos[1]["breaking"] is False and infos[0]["handler_id"] == "things.2025-01-01"
    app.timescape.tag("stable", "2025-01-01")
    everything = app.timescape.describe()
    json.dumps(everything)
    assert everything["tags"] == {"stable": "2025-01-01"}
    [route] = everything["routes"]
    assert (route["method"], route["path"], route["pinned"]) == ("GET", PATH, False)
    assert [v["version"] for v in route["versions"]] == ["2025-01-01", "2025-06-01"]
    assert route["changes"][0]["breaking"] is False
    with pytest.raises(KeyError):
        app.timescape.versions("GET", "/nothing")
    with pytest.raises(VersionError):
        app.timescape.mark_unhealthy("GET", PATH, "2030-01-01")
