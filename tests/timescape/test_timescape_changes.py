"""Breaking-change detection between versions (Property 14) and who takes the traffic of a
compatible older version (Property 15)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, gt
from tests.timescape.helpers import PATH, add_version, request

KINDS = {"string": gt.string, "integer": gt.integer, "boolean": gt.boolean}
# name → (kind, required); absent from the dict = the field does not exist
fields = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    st.tuples(st.sampled_from(sorted(KINDS)), st.booleans()),
    max_size=4,
)


def build(spec: dict[str, tuple[str, bool]]) -> Any:
    return gt.object(
        {
            name: KINDS[kind]() if required else gt.optional(KINDS[kind]())
            for name, (kind, required) in spec.items()
        }
    )


def request_breaks(old: dict[str, tuple[str, bool]], new: dict[str, tuple[str, bool]]) -> bool:
    """DESIGN §7 for requests: a new required field, optional → required, any type change."""
    for name, (kind, required) in new.items():
        before = old.get(name)
        if before is None:
            if required:
                return True
        elif before[0] != kind or (required and not before[1]):
            return True
    return False


def response_breaks(old: dict[str, tuple[str, bool]], new: dict[str, tuple[str, bool]]) -> bool:
    """DESIGN §7 for responses: a removed field, required → optional, any type change."""
    for name, (kind, required) in old.items():
        after = new.get(name)
        if after is None or after[0] != kind or (required and not after[1]):
            return True
    return False


def two_versions(old_req: Any, old_res: Any, new_req: Any, new_res: Any, **kw: Any) -> App:
    app = App()
    for date, req, res in (("2025-01-01", old_req, old_res), ("2025-06-01", new_req, new_res)):

        @app.post("/things", version=date, request=req, response=res, **kw)
        async def handler(req_: Any, res_: Any, lctx: Any, gctx: Any, d: str = date) -> Any:
            return {"impl": d}

    return app


@settings(max_examples=200, deadline=None)
@given(old_req=fields, new_req=fields, old_res=fields, new_res=fields)
def test_property_14_breaking_flags_follow_the_rules(
    old_req: dict[str, Any],
    new_req: dict[str, Any],
    old_res: dict[str, Any],
    new_res: dict[str, Any],
) -> None:
    """Property 14: a step is breaking exactly when its request or response schemas change
    in a way DESIGN §7 calls breaking; each change names its part."""
    app = two_versions(build(old_req), build(old_res), build(new_req), build(new_res))
    [step] = app.timescape.changes("POST", "/things")
    assert (step.old, step.new) == ("2025-01-01", "2025-06-01")
    want = request_breaks(old_req, new_req) or response_breaks(old_res, new_res)
    assert step.breaking == want
    assert step.unjudged == ()
    breaking_parts = {part for part, change in step.changes if change.breaking}
    assert ("request" in breaking_parts) == request_breaks(old_req, new_req)
    assert ("response" in breaking_parts) == response_breaks(old_res, new_res)
    assert step.as_dict()["breaking"] == want


def test_a_missing_schema_cannot_be_judged_and_counts_as_breaking() -> None:
    same = gt.object({"a": gt.string()})
    app = two_versions(same, None, same, None)
    [step] = app.timescape.changes("POST", "/things")
    assert step.breaking and step.unjudged == ("response",)
    app = two_versions(None, same, same, same)
    [step] = app.timescape.changes("POST", "/things")
    assert step.breaking and step.unjudged == ("request",)
    assert step.as_dict()["unjudged"] == ["request"]


@settings(max_examples=60, deadline=None)
@given(old_res=fields, new_res=fields, pinned=st.booleans())
def test_property_15_a_compatible_newer_version_takes_the_older_traffic(
    old_res: dict[str, Any], new_res: dict[str, Any], pinned: bool
) -> None:
    """Property 15: a non-breaking newer implementation serves the older version's requests
    (which still see their own version in ``Gati-Version``), unless the route pins versions;
    after a breaking step the older implementation keeps them."""
    req = gt.object({"a": gt.string()})
    app = two_versions(req, build(old_res), req, build(new_res), pin_versions=pinned)
    breaking = response_breaks(old_res, new_res)
    served = app.timescape.resolve("POST", "/things", "2025-01-01")
    assert served.version == "2025-01-01"
    want = "2025-01-01" if pinned or breaking else "2025-06-01"
    assert served.served_by == want
    [old_info, new_info] = app.timescape.versions("POST", "/things")
    assert new_info.breaking == breaking and old_info.breaking is None


def test_property_15_over_http() -> None:
    app = App()
    add_version(app, "2025-01-01")
    add_version(app, "2025-06-01")  # the same schemas: non-breaking
    r = request(app, headers={"gati-version": "2025-01-01"})
    assert r.json() == {"impl": "2025-06-01", "meta": "2025-01-01"}
    assert r.headers["gati-version"] == "2025-01-01"
    info = app.timescape.versions("GET", PATH)[0].as_dict()
    assert info["served_by"] == "2025-06-01" and info["hops"] == []
