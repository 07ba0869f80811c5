"""lctx.state: the store API and value semantics, on the active backend."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import LocalContext


def test_get_set_delete_clean_contains_keys() -> None:
    s = LocalContext("r").state
    assert s.get("a") is None and s.get("a", 5) == 5
    s.set("a", 1)
    s["b"] = "two"
    assert "a" in s and "c" not in s
    assert s["a"] == 1 and s.get("b") == "two"
    assert s.keys() == ["a", "b"] and len(s) == 2
    s.set("a", 3)  # updating keeps the key's position
    assert s.keys() == ["a", "b"] and s.items() == [("a", 3), ("b", "two")]
    assert s.delete("a") is True and s.delete("a") is False
    del s["b"]
    with pytest.raises(KeyError):
        del s["b"]
    with pytest.raises(KeyError):
        s["missing"]
    s.set("x", 1)
    s.clean()
    assert len(s) == 0 and s.keys() == []


def test_keys_must_be_str() -> None:
    s = LocalContext("r").state
    for bad in (1, None, b"k", ("t",)):
        with pytest.raises(TypeError):
            s.set(bad, 1)
        with pytest.raises(TypeError):
            s.get(bad)


def test_value_semantics_set_copies() -> None:
    s = LocalContext("r").state
    user = {"name": "a", "tags": ["x"]}
    s.set("user", user)
    user["name"] = "b"
    user["tags"].append("y")
    assert s.get("user") == {"name": "a", "tags": ["x"]}


def test_value_semantics_get_returns_a_copy() -> None:
    s = LocalContext("r").state
    s.set("user", {"tags": ["x"]})
    got = s.get("user")
    got["tags"].append("y")
    assert s["user"] == {"tags": ["x"]}
    assert s.get("user") is not s.get("user")


def test_other_objects_are_stored_by_reference() -> None:
    class Conn:
        pass

    c = Conn()
    s = LocalContext("r").state
    s.set("conn", c)
    assert s.get("conn") is c


def test_cyclic_value_is_refused() -> None:
    a: list[object] = []
    a.append(a)
    with pytest.raises(ValueError):
        LocalContext("r").state.set("a", a)


def test_store_is_created_lazily() -> None:
    lctx = LocalContext("r")
    assert lctx.state_if_made is None
    lctx.state.set("k", 1)
    assert lctx.state_if_made is not None


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(max_size=4), values, max_size=8),
    st.dictionaries(st.text(max_size=4), values, max_size=8),
)
def test_property_23_state_isolation(a: dict[str, object], b: dict[str, object]) -> None:
    """Property 23: two requests' stores never see each other's keys or values."""
    la, lb = LocalContext("a"), LocalContext("b")
    for k, v in a.items():
        la.state.set(k, v)
    for k, v in b.items():
        lb.state.set(k, v)
    assert dict(la.state.items()) == a
    assert dict(lb.state.items()) == b
    lb.state.clean()
    assert dict(la.state.items()) == a
