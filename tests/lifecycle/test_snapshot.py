"""Snapshots: immutability, isolation, JSON round-trip and restore (Property 21, 47)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import LocalContext, Secret, Snapshot
from gati.context.codec import Opaque

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
    | st.binary(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        | st.dictionaries(st.integers(), inner, max_size=2)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=12,
)

# What a snapshot records (its ``as_dict`` keys).
SNAPSHOT_FIELDS = (
    "request_id",
    "taken_at",
    "phase",
    "state",
    "outstanding",
    "hook_index",
    "handler_version",
    "events",
)


def test_snapshot_is_isolated_from_later_mutation() -> None:
    lctx = LocalContext("r")
    d = {"a": [1]}
    lctx.state.set("d", d)
    snap = lctx.snapshot()
    d["a"].append(2)
    lctx.state.set("d", {"changed": True})
    lctx.state.set("new", 1)
    lctx.state.delete("d")
    assert snap.state == {"d": {"a": [1]}}
    got = snap.state
    got["d"]["a"].append(99)
    assert snap.state == {"d": {"a": [1]}}


def test_snapshot_is_immutable() -> None:
    snap = LocalContext("r").snapshot()
    with pytest.raises(AttributeError):
        snap.phase = "error"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del snap.request_id  # type: ignore[misc]


def test_snapshot_fields() -> None:
    lctx = LocalContext("r9", version="2025-02-01", phase="routed")
    lctx.state.set("k", 1)
    lctx.log("hello", user="u")
    lctx.publish("t", {"p": 1})
    snap = lctx.snapshot()
    d = snap.as_dict()
    assert set(d) == set(SNAPSHOT_FIELDS)
    assert (snap.request_id, snap.phase, snap.handler_version) == ("r9", "routed", "2025-02-01")
    assert [e["type"] for e in snap.events] == ["log", "publish"]
    assert snap.events[1]["payload"] == {"p": 1}


def test_secrets_never_appear_in_json() -> None:
    lctx = LocalContext("r")
    lctx.state.set("token", Secret("hunter2"))
    lctx.state.set("nested", {"k": [Secret("s3cr3t")]})
    lctx.log("login", password=Secret("pw-value"))
    text = lctx.snapshot().to_json()
    for leaked in ("hunter2", "s3cr3t", "pw-value"):
        assert leaked not in text
    back = Snapshot.from_json(text)
    tok = back.state["token"]
    assert isinstance(tok, Secret) and tok.is_redacted
    with pytest.raises(ValueError):
        tok.get()


def test_unserialisable_objects_become_opaque() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "<thing>"

    lctx = LocalContext("r")
    lctx.state.set("t", Thing())
    back = Snapshot.from_json(lctx.snapshot().to_json())
    assert back.state["t"] == Opaque("<thing>")


def test_from_json_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError):
        Snapshot.from_json('{"request_id": "x"}')


async def test_outstanding_tasks_are_recorded_and_restored() -> None:
    lctx = LocalContext("r")
    done = asyncio.Event()

    async def ok() -> int:
        return 1

    async def bad() -> None:
        raise RuntimeError("x")

    lctx.track(ok(), name="ok")
    lctx.track(bad(), name="bad")
    lctx.track(done.wait(), name="waiting")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    snap = lctx.snapshot()
    assert snap.outstanding == (
        {"name": "ok", "status": "fulfilled"},
        {"name": "bad", "status": "rejected"},
        {"name": "waiting", "status": "pending"},
    )
    restored = LocalContext.restore(Snapshot.from_json(snap.to_json()))
    assert restored.snapshot().outstanding == snap.outstanding
    done.set()
    await asyncio.sleep(0)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(max_size=5), json_like, max_size=10),
    st.sampled_from(["received", "routed", "processing", "error", "timeout"]),
    st.integers(0, 20),
    st.lists(st.text(max_size=5), max_size=3),
)
def test_property_21_47_snapshot_complete_and_restore_faithful(
    state: dict[str, Any], phase: str, hook_index: int, logs: list[str]
) -> None:
    """Property 21/47: a snapshot holds everything, JSON round-trips it, restore recreates it."""
    lctx = LocalContext("rid", version="v1", phase=phase)
    for k, v in state.items():
        lctx.state.set(k, v)
    for m in logs:
        lctx.log(m, n=len(m))
    lctx.hook_index = hook_index
    snap = lctx.snapshot()
    assert snap.state == state
    assert list(snap.state) == list(state)
    back = Snapshot.from_json(snap.to_json())
    assert back == snap
    restored = LocalContext.restore(back)
    again = restored.snapshot()
    for field in SNAPSHOT_FIELDS:
        if field == "taken_at":  # the restored context's snapshot is taken later
            continue
        assert getattr(again, field) == getattr(snap, field), field
    assert restored.hook_index == hook_index and restored.meta.version == "v1"
    assert restored.state.keys() == list(state)


def test_a_restored_context_is_the_snapshot_whatever_is_used_first() -> None:
    """Restore takes its fields from the snapshot on first use; a write first sees them too."""
    lctx = LocalContext("r", version="v2", phase="processing")
    lctx.state.set("user", {"id": 1})
    lctx.log("seen")
    lctx.hook_index = 4
    snap = lctx.snapshot()
    lctx.state.set("user", {"id": 2})
    lctx.hook_index = 9

    written_first = LocalContext.restore(snap)
    written_first.hook_index = 5
    assert written_first.hook_index == 5
    assert written_first.meta.request_id == "r" and written_first.phase == "processing"
    assert written_first.state.get("user") == {"id": 1}

    state_first = LocalContext.restore(snap)
    state_first.state.set("more", 1)
    assert state_first.state.keys() == ["user", "more"]
    assert state_first.hook_index == 4 and state_first.meta.version == "v2"
    assert [e["message"] for e in state_first.snapshot().events] == ["seen"]
    assert snap.state == {"user": {"id": 1}}  # the restored context does not write back

    assert isinstance(LocalContext.restore(snap), LocalContext)
    assert repr(LocalContext.restore(snap)).startswith("LocalContext(Meta(request_id='r'")


def test_restore_with_meta_or_on_a_subclass_makes_that_context() -> None:
    class Traced(LocalContext):
        __slots__ = ()

    snap = LocalContext("r", version="v1").snapshot()
    assert type(Traced.restore(snap)) is Traced
    restored = LocalContext.restore(snap, method="POST", path="/users")
    assert (restored.meta.method, restored.meta.path, restored.meta.version) == (
        "POST",
        "/users",
        "v1",
    )
