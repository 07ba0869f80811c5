"""Version health (Property 7): an unhealthy version gets no traffic; its requests go to a
healthy version only along a safe path (a transformer chain or non-breaking steps), else 503."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, gt
from gati.timescape import HealthPolicy, Timescape
from tests.timescape.helpers import PATH, add_version, request

DATES = [f"2025-{m:02d}-01" for m in range(1, 7)]


class Same:
    """A hop that changes nothing (what matters here is that it exists)."""

    def request(self, req: Any, lctx: Any) -> None: ...


def timeline_app(kinds: list[str]) -> App:
    """Version i is an implementation (``same``: response as before; ``new``: a breaking
    response) or a transformer-only version (``hop``) leading to version i + 1."""
    app = App()
    era = 0
    for date, kind in zip(DATES, kinds, strict=False):
        if kind == "new":
            era += 1
        if kind != "hop":
            add_version(app, date, response=gt.object({f"f{era}": gt.string()}), pin_versions=True)
    for i in reversed(range(len(kinds))):  # a hop needs the version it leads to
        if kinds[i] == "hop":
            app.timescape.add_transformer(PATH, Same(), from_=DATES[i], to=DATES[i + 1])
    return app


def safe_walk(kinds: list[str], breaking: list[bool], sick: set[int], start: int) -> int | None:
    """The reference: the implementation serving version ``start``, or None for a 503."""
    live = [k != "hop" and i not in sick for i, k in enumerate(kinds)]
    if live[start]:
        return start
    at = start
    while True:
        if kinds[at] == "hop" or (at < len(kinds) - 1 and not breaking[at]):
            at += 1
        else:
            return None
        if live[at]:
            return at


timelines = st.lists(st.sampled_from(["same", "new", "hop"]), min_size=1, max_size=5).map(
    lambda ks: [*ks, "same"] if ks[-1] == "hop" else ks
)


@settings(max_examples=120, deadline=None)
@given(kinds=timelines, data=st.data())
def test_property_7_unhealthy_versions_get_no_traffic(kinds: list[str], data: Any) -> None:
    """Property 7 against a reference walk: no request is served by an unhealthy version;
    one that cannot be moved safely is a 503."""
    app = timeline_app(kinds)
    impls = [i for i, k in enumerate(kinds) if k != "hop"]
    sick = set(data.draw(st.lists(st.sampled_from(impls), unique=True)))
    for i in sick:
        app.timescape.mark_unhealthy("GET", PATH, DATES[i])
    breaking = [step.breaking for step in app.timescape.changes("GET", PATH)]
    for i in range(len(kinds)):
        got = app.timescape.resolve("GET", PATH, DATES[i])
        want = safe_walk(kinds, breaking, sick, i)
        if want is None:
            assert got.status == 503
        else:
            assert (got.status, got.served_by) == (200, DATES[want])
            assert want not in sick
    for i in sick:
        app.timescape.mark_healthy("GET", PATH, DATES[i])
    for i in impls:
        assert app.timescape.resolve("GET", PATH, DATES[i]).served_by == DATES[i]


def test_503_with_retry_after_when_no_safe_fallback() -> None:
    app = App()
    add_version(app, "2025-01-01")  # answers {"impl", "meta"}
    add_version(app, "2025-06-01", response=gt.object({"impl": gt.string()}))  # drops "meta"
    app.timescape.mark_unhealthy("GET", PATH, "2025-01-01")
    r = request(app, headers={"gati-version": "2025-01-01"})
    assert r.status_code == 503 and r.headers["retry-after"] == "60"
    assert r.json()["versions"] == ["2025-01-01", "2025-06-01"]
    assert request(app).status_code == 200  # the other version is untouched
    [old, _] = app.timescape.versions("GET", PATH)
    assert not old.healthy and old.resolution.status == 503


def test_a_5xx_rate_over_the_window_turns_a_version_unhealthy() -> None:
    policy = HealthPolicy(threshold=0.5, window=30, min_requests=4)
    app = App(timescape=Timescape(health=policy))
    failing = {"on": True}

    @app.get("/flaky", version="2025-01-01", pin_versions=True)
    async def old(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        if failing["on"]:
            raise RuntimeError("database down")
        return {"v": 1}

    @app.get("/flaky", version="2025-06-01", pin_versions=True)
    async def new(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"v": 2}

    old_client = {"gati-version": "2025-01-01"}
    statuses = [request(app, path="/flaky", headers=old_client).status_code for _ in range(6)]
    assert statuses[:4] == [500] * 4
    assert statuses[4:] == [503, 503]  # no safe fallback: the step is not judged (no schemas)
    assert app.timescape.health.unhealthy() == [("GET", "/flaky", "2025-01-01")]
    failing["on"] = False
    app.timescape.mark_healthy("GET", "/flaky", "2025-01-01")
    assert request(app, path="/flaky", headers=old_client).json() == {"v": 1}
