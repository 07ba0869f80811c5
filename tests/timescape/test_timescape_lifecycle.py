"""Deprecation and sunset headers, decommissioning (410 or migration), usage and drain."""

from __future__ import annotations

import calendar
import datetime
import time
from typing import Any

import pytest

from gati import App, gt
from gati.timescape import Timescape
from tests.timescape.helpers import PATH, add_version, request


def two_breaking_versions(**options: Any) -> App:
    app = App(**options)
    add_version(app, "2025-01-01")  # answers {"impl", "meta"}
    add_version(app, "2025-06-01", response=gt.object({"impl": gt.string()}))  # drops "meta"
    return app


def test_deprecated_versions_carry_deprecation_and_sunset_headers() -> None:
    app = two_breaking_versions()
    before = int(time.time())
    app.timescape.deprecate("2025-01-01", sunset="2099-06-01")
    r = request(app, headers={"gati-version": "2025-01-01"})
    assert r.status_code == 200 and r.headers["gati-version"] == "2025-01-01"
    assert before <= int(r.headers["deprecation"].removeprefix("@")) <= time.time()
    assert r.headers["sunset"] == "Mon, 01 Jun 2099 00:00:00 GMT"
    # errors at that version carry them too; other versions carry neither
    r = request(app, path="/things/x", headers={"gati-version": "2025-01-01"})
    assert r.status_code == 404  # no route matched: no version either
    r = request(app)
    assert "deprecation" not in r.headers and "sunset" not in r.headers
    info = app.timescape.versions("GET", PATH)[0]
    assert (info.deprecated, info.sunset, info.decommissioned) == (True, "2099-06-01", False)
    with pytest.raises(ValueError, match="sunset"):
        app.timescape.deprecate("2025-01-01", sunset="2024-01-01")


def test_decommissioned_version_is_410_listing_the_remaining_versions() -> None:
    app = two_breaking_versions()
    app.timescape.decommission("2025-01-01")
    r = request(app, headers={"gati-version": "2025-03-01"})
    assert r.status_code == 410
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["versions"] == ["2025-06-01"] and r.json()["version"] == "2025-01-01"
    assert request(app, headers={"gati-version": "2025-06-01"}).status_code == 200


def test_a_passed_sunset_decommissions_the_version() -> None:
    app = two_breaking_versions()
    app.timescape.deprecate("2025-01-01", sunset="2025-02-01")  # already in the past
    assert request(app, headers={"gati-version": "2025-01-01"}).status_code == 410
    assert app.timescape.usage()["2025-01-01"]["decommissioned"] is True


def test_a_sunset_reached_while_running_takes_effect_without_a_restart() -> None:
    app = two_breaking_versions()
    tomorrow = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1)
    app.timescape.deprecate("2025-01-01", sunset=tomorrow)
    assert app.timescape.expires == calendar.timegm(tomorrow.timetuple())
    assert request(app, headers={"gati-version": "2025-01-01"}).status_code == 200
    app.timescape.expires = 0.0  # as if the sunset time had come: plans are rebuilt
    app.timescape.lifecycle.retirements["2025-01-01"].sunset_at = 0.0
    assert request(app, headers={"gati-version": "2025-01-01"}).status_code == 410


def test_a_decommissioned_version_with_a_transformer_is_migrated() -> None:
    app = App()

    @app.get("/users", version="2025-01-01", response=gt.object({"name": gt.string()}))
    async def old(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"name": "old implementation"}

    @app.get("/users", version="2025-06-01", response=gt.object({"full": gt.string()}))
    async def new(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"full": "Ada Lovelace"}

    @app.transformer("/users", from_="2025-01-01", to="2025-06-01")
    class Rename:
        def response(self, res: Any, lctx: Any) -> None:
            res.body["name"] = res.body.pop("full")

    old_client = {"gati-version": "2025-01-01"}
    assert request(app, path="/users", headers=old_client).json() == {"name": "old implementation"}
    app.timescape.decommission("2025-01-01")
    r = request(app, path="/users", headers=old_client)
    assert (r.status_code, r.json()) == (200, {"name": "Ada Lovelace"})
    assert r.headers["gati-version"] == "2025-01-01"


def test_usage_counts_requests_per_version() -> None:
    app = two_breaking_versions()
    for version in ("2025-01-01", "2025-02-01", "2025-06-01"):
        request(app, headers={"gati-version": version})
    usage = app.timescape.usage()
    assert usage["2025-01-01"]["requests"] == 2 and usage["2025-06-01"]["requests"] == 1
    assert usage["2025-01-01"]["last_used"] is not None


def test_a_versioned_request_is_counted_without_making_the_meta() -> None:
    """Serving a version records the request's start as the version's last use from the
    context's own start time: no ``Meta`` is made for it."""
    app = App()
    made: list[bool] = []
    for date in ("2025-01-01", "2025-06-01"):

        @app.get("/seen", version=date)
        async def seen(req: Any, res: Any, lctx: Any, gctx: Any) -> dict[str, bool]:
            made.append(lctx.meta_if_made is not None)
            return {"ok": True}

    before = time.time()
    r = request(app, path="/seen", headers={"gati-version": "2025-01-01"})
    assert r.status_code == 200 and made == [False]
    last = app.timescape.usage()["2025-01-01"]["last_used"]
    assert isinstance(last, str)
    used = datetime.datetime.fromisoformat(last).timestamp()
    assert before <= used <= time.time()


def test_drain_decommissions_idle_untagged_versions_only() -> None:
    app = App(timescape=Timescape(drain_after=3600))
    for date in ("2025-01-01", "2025-03-01", "2025-06-01"):
        add_version(app, date, response=gt.object({date: gt.string()}))  # all breaking
    app.timescape.tag("stable", "2025-03-01")
    assert app.timescape.drain() == []  # nothing idle for an hour yet
    app.timescape.lifecycle.started_at -= 7200  # as if the app had run two hours unused
    assert app.timescape.drain() == ["2025-01-01"]  # stable and latest are protected
    assert request(app, headers={"gati-version": "2025-01-01"}).status_code == 410
    with pytest.raises(ValueError):
        Timescape(drain_after=0)


def test_drain_runs_by_itself_while_requests_arrive() -> None:
    app = two_breaking_versions(timescape=Timescape(drain_after=3600))
    assert app.timescape.expires is not None  # a drain check is scheduled
    app.timescape.lifecycle.started_at -= 7200
    app.timescape.expires = 0.0  # as if the next check were due
    r = request(app, headers={"gati-version": "2025-06-01"})
    assert r.status_code == 200
    assert app.timescape.usage()["2025-01-01"]["decommissioned"] is True
    assert request(app, headers={"gati-version": "2025-01-01"}).status_code == 410
