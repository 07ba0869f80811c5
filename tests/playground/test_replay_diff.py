"""Replay (Property 45) and diff (Property 46)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gati.playground.diff import changes
from gati.testing import TestClient
from tests.playground.apps import V1, V2, make_app


def replay(client: TestClient, record_id: str, version: str | None) -> dict[str, Any]:
    r = client.post(f"/_gati/api/requests/{record_id}/replay", json={"version": version})
    assert r.status_code == 200, r.text
    return dict(r.json()["record"])


def last_id(client: TestClient) -> str:
    return str(client.get("/_gati/api/requests?limit=1").json()["requests"][0]["id"])


def comparable(record: dict[str, Any]) -> tuple[Any, ...]:
    """A response modulo its request id and timing."""
    headers = [h for h in record["response"]["headers"] if h[0] != "x-request-id"]
    return record["status"], headers, record["response"]["body"], record["version"]


@settings(max_examples=25, deadline=None)
@given(item=st.integers(0, 10**6), user=st.text("abcxyz", min_size=1, max_size=8))
def test_property_45_replaying_against_the_original_version_reproduces_the_response(
    item: int, user: str
) -> None:
    """Property 45: same status, headers and body, new request id, ``replay_of`` set."""
    client = TestClient(make_app())
    client.get(f"/items/{item}", headers={"gati-version": V1, "x-user": user})
    original_id = last_id(client)
    original = client.get(f"/_gati/api/requests/{original_id}").json()
    again = replay(client, original_id, None)
    assert again["replay_of"] == original_id
    assert again["request_id"] != original["request_id"]
    assert comparable(again) == comparable(original)


@settings(max_examples=25, deadline=None)
@given(
    item=st.integers(0, 10**6),
    asked=st.sampled_from([None, V1, V2]),
    target=st.sampled_from([V1, V2]),
)
def test_property_45_a_replay_against_a_version_equals_a_request_pinned_to_it(
    item: int, asked: str | None, target: str
) -> None:
    """Property 45: replaying at version V answers as a direct request pinned to V does."""
    client = TestClient(make_app())
    headers = {} if asked is None else {"gati-version": asked}
    client.get(f"/items/{item}", headers=headers)
    replayed = replay(client, last_id(client), target)
    client.get(f"/items/{item}", headers={"gati-version": target})
    direct = client.get(f"/_gati/api/requests/{last_id(client)}").json()
    assert comparable(replayed) == comparable(direct)
    assert replayed["version"] == target


def test_a_replay_resends_the_body_and_credentials() -> None:
    client = TestClient(make_app())
    client.post("/echo", json={"n": 1}, headers={"authorization": "Bearer t"})
    again = replay(client, last_id(client), None)
    assert again["response"]["body"]["got"] == {"n": 1}
    assert dict(again["request"]["headers"])["authorization"] == "***"


def test_replay_errors() -> None:
    client = TestClient(make_app())
    client.get("/items/1")
    rid = last_id(client)
    bad = client.post(f"/_gati/api/requests/{rid}/replay", json={"version": "1999-01-01"})
    assert bad.status_code == 400 and bad.json()["versions"] == [V1, V2]
    assert client.post(f"/_gati/api/requests/{rid}/replay", json={"version": 3}).status_code == 400
    assert client.post(f"/_gati/api/requests/{rid}/replay", content=b"{").status_code == 400
    assert client.post("/_gati/api/requests/999/replay", json={}).status_code == 404
    client.get("/state")
    plain = last_id(client)
    assert (
        client.post(f"/_gati/api/requests/{plain}/replay", json={"version": V1}).status_code == 400
    )
    assert replay(client, plain, None)["status"] == 200


def test_the_diff_of_two_versions_shows_status_headers_body_and_both_timelines() -> None:
    client = TestClient(make_app())
    client.get("/items/7", headers={"gati-version": V1})
    left = last_id(client)
    right = replay(client, left, V2)["id"]
    d = client.get(f"/_gati/api/diff?left={left}&right={right}").json()
    assert d["status"] == {"left": 200, "right": 200, "equal": True}
    assert d["headers"] == [{"op": "changed", "path": ["gati-version", 0], "left": V1, "right": V2}]
    assert d["body"] == [
        {"op": "added", "path": ["name"], "left": None, "right": "item 7"},
        {"op": "removed", "path": ["user"], "left": "anonymous", "right": None},
    ]
    assert d["left"]["id"] == left and d["right"]["replay_of"] == left
    assert [s["phase"] for s in d["timelines"]["left"]][:2] == ["ingress", "version"]
    same = client.get(f"/_gati/api/diff?left={left}&right={left}").json()
    assert same["body"] == [] and same["headers"] == []
    assert client.get(f"/_gati/api/diff?left={left}").status_code == 400
    assert client.get(f"/_gati/api/diff?left={left}&right=999").status_code == 404


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_property_46_a_value_diffed_with_itself_has_no_changes(value: Any) -> None:
    """Property 46: diff(a, a) is empty."""
    assert changes(value, value) == []


@given(json_values, json_values)
def test_property_46_the_diff_is_antisymmetric(a: Any, b: Any) -> None:
    """Property 46: swapping the sides swaps added/removed and left/right."""
    swap = {"added": "removed", "removed": "added", "changed": "changed"}
    mirrored = [
        {"op": swap[c["op"]], "path": c["path"], "left": c["right"], "right": c["left"]}
        for c in changes(a, b)
    ]
    assert mirrored == changes(b, a)


exact_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.text("ab", max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text("ab", max_size=1), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(exact_values, exact_values)
def test_property_46_the_diff_is_empty_exactly_when_the_values_are_equal(a: Any, b: Any) -> None:
    """Property 46: no changes if and only if the JSON documents are equal."""
    import orjson

    def text(v: Any) -> bytes:
        return orjson.dumps(v, option=orjson.OPT_SORT_KEYS)

    assert (changes(a, b) == []) == (text(a) == text(b))


@given(json_values, json_values)
def test_property_46_applying_the_changes_turns_left_into_right(a: Any, b: Any) -> None:
    """Property 46: the changes are complete: applied to ``a`` they give ``b``."""
    assert apply(a, changes(a, b)) == b


def apply(value: Any, diff: list[dict[str, Any]]) -> Any:
    import copy

    root = {"": copy.deepcopy(value)}
    removals = []
    for change in diff:
        path = ["", *change["path"]]
        parent: Any = root
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if change["op"] == "removed":
            removals.append((parent, key))
        elif change["op"] == "added" and isinstance(parent, list):
            parent.append(change["right"])
        else:
            parent[key] = change["right"]
    for parent, key in sorted(
        removals, key=lambda r: r[1] if isinstance(r[1], int) else 0, reverse=True
    ):
        del parent[key]
    return root[""]
