"""Recursive unions validate in linear time on both backends, with the same errors.

Each level of ``union(array(ref N, max_items=1), array(ref N, min_items=1), integer)`` tries
both array members on the whole subtree below, and each member meets the nested unions again:
2^depth trials, and an error list that nested every member's report once per level. Now a
union decides a container at a depth once per call (``rust/gtype/trials.rs``, ``Call`` in the
pure twin), and a union failing inside another union's member list reports its
``union_mismatch`` without ``members`` (docs/gtype.md §5).

None of these measures time: at depth 200 the old walk needed 2^200 trials, so the regression
tests could not finish on it.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import ValidationError, gt
from gati._pure import gtype as pure_gtype
from gati.gtype._plan import make_plan
from tests.gtype.test_hostile_input import BACKENDS, _native

NODE = gt.union(
    gt.array(gt.ref("Node"), max_items=1),
    gt.array(gt.ref("Node"), min_items=1),
    gt.integer(),
    name="Node",
)


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def errors_of(call: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.errors()


def mismatch(path: tuple[int, ...], **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "code": "union_mismatch",
        "expected": "array or integer",
        "actual": "<list>",
        "message": "Input should be array or integer",
        **extra,
    }


def expected_errors(depth: int) -> list[dict[str, Any]]:
    """One union_mismatch at the root; each array member reports the child's union_mismatch
    (without members of its own), the integer member its type error."""
    child = mismatch((0,))
    integer = {
        "path": (),
        "code": "integer_type",
        "expected": "integer",
        "actual": "<list>",
        "message": "Input should be a valid integer",
    }
    return [mismatch((), members=[[child], [child], [integer]])] if depth > 1 else []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("depth", [16, 200, 900])
def test_an_invalid_deep_input_is_decided_once_per_level(backend: Any, depth: int) -> None:
    v = backend(make_plan(NODE.core(), max_depth=1000))
    value = nested(depth)
    assert errors_of(lambda: v.validate(value)) == expected_errors(depth)
    assert errors_of(lambda: v.validate_json(json.dumps(value))) == expected_errors(depth)
    assert v.is_valid(value) is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_valid_deep_input_passes_as_data_and_as_json(backend: Any) -> None:
    v = backend(make_plan(NODE.core(), max_depth=1000))
    value = nested(200, leaf=1)
    assert v.validate(value) is value
    assert v.validate_json(json.dumps(value)) == value


@pytest.mark.parametrize("backend", BACKENDS)
def test_members_that_fail_after_reading_the_subtree_stay_linear(backend: Any) -> None:
    """Each level's first member reads the whole valid subtree and then fails on its own
    length; the second accepts. Without the memo every level read its subtree twice."""
    pair = gt.union(
        gt.array(gt.ref("P"), max_items=1), gt.array(gt.union(gt.ref("P"), gt.integer())), name="P"
    )
    v = backend(make_plan(pair.core(), max_depth=1000))
    value: Any = 0
    for _ in range(300):
        value = [value, 0]
    assert v.validate(value) is value
    assert v.validate_json(json.dumps(value)) == value


def linked(check: Any) -> Any:
    """A recursive union whose members convert (a UUID) and drop undeclared keys, so both
    ``convert`` and ``dump`` decide a member at every level; ``check`` sees each trial."""
    link = {"id": gt.string(format="uuid", convert=UUID), "next": gt.ref("L")}
    return gt.union(
        gt.object(link, extra="ignore", validators=[check]),
        gt.object({**link, "other": gt.integer()}, extra="ignore"),
        gt.null(),
        name="L",
    )


def chain(depth: int) -> Any:
    value = None
    for _ in range(depth):
        value = {"id": "12345678-1234-5678-1234-567812345678", "next": value, "drop": 1}
    return value


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", ["convert", "dump"])
def test_building_through_a_recursive_union_decides_each_level_once(
    backend: Any, mode: str
) -> None:
    """``convert`` and ``dump`` pick each level's member by trying the members again; the
    nested unions' answers now carry over from level to level, so a chain of 300 links is
    checked a few times per link (it was once per link per level above it: 45,000 calls)."""
    trials = 0

    def check(value: Any) -> bool:
        nonlocal trials
        trials += 1
        return True

    depth = 300
    v = backend(make_plan(linked(check).core(), max_depth=1000))
    out = getattr(v, mode)(chain(depth))
    assert trials <= 4 * depth
    for _ in range(depth):
        assert "drop" not in out
        assert isinstance(out["id"], UUID) if mode == "convert" else isinstance(out["id"], str)
        out = out["next"]
    assert out is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_building_deep_data_never_meets_the_recursion_limit(backend: Any) -> None:
    """Validation accepts a chain as deep as ``max_depth`` allows; building its output goes as
    deep without raising ``RecursionError`` (the pure twin hops to a fresh stack, as its
    validation does)."""
    v = backend(make_plan(linked(lambda value: True).core(), max_depth=1000))
    out = v.convert(chain(450))
    depth = 0
    while out is not None:
        depth, out = depth + 1, out["next"]
    assert depth == 450


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_union_failing_inside_a_member_list_has_no_members(backend: Any) -> None:
    inner = gt.union(gt.integer(), gt.string())
    schema = gt.union(gt.object({"a": inner}), gt.array(inner))
    errors = errors_of(lambda: backend(make_plan(schema.core())).validate({"a": None}))
    assert [e["code"] for e in errors] == ["union_mismatch"]
    first, second = errors[0]["members"]
    assert [(e["path"], e["code"]) for e in first] == [(("a",), "union_mismatch")]
    assert "members" not in first[0]
    assert [(e["path"], e["code"]) for e in second] == [((), "array_type")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cyclic_value_is_a_recursion_loop_under_both(backend: Any) -> None:
    loop: list[Any] = []
    loop.append(loop)
    v = backend(make_plan(NODE.core()))
    assert v.is_valid(loop) is False
    assert [e["code"] for e in errors_of(lambda: v.validate(loop))] == ["union_mismatch"]


# ---- native and pure agree on recursive unions -----------------------------------------------

_native_only = pytest.mark.skipif(_native is None, reason="needs the native extension")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _member(ref: str) -> st.SearchStrategy[Any]:
    bound = st.none() | st.integers(0, 2)
    return st.one_of(
        st.builds(
            lambda lo, more: gt.array(
                gt.ref(ref), min_items=lo, max_items=None if more is None else (lo or 0) + more
            ),
            bound,
            bound,
        ),
        st.builds(lambda: gt.object({"a": gt.ref(ref)})),
        st.builds(lambda: gt.object({"a": gt.ref(ref), "b": gt.integer()}, extra="forbid")),
        st.builds(lambda: gt.array(gt.union(gt.ref(ref), gt.string()), unique_items=True)),
        st.sampled_from([gt.integer(), gt.string(max_length=1), gt.null()]),
    )


@st.composite
def recursive_unions(draw: Any) -> Any:
    """``A = union(...)`` whose members refer to ``A`` or to a second definition ``B``."""
    b = gt.union(*draw(st.lists(_member("A"), min_size=1, max_size=3)), name="B")
    refs = st.sampled_from(["A", "B"])
    members = draw(st.lists(refs.flatmap(_member), min_size=1, max_size=4))
    uses_b = any("'B'" in repr(m.core()) for m in members)
    members = [*members, b] if uses_b else members
    return gt.union(*members, name="A")


_LEAVES = st.sampled_from([0, 1, "x", "", None, True, 2.5, "xy"])
_DATA = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.fixed_dictionaries({"a": inner})
        | st.dictionaries(st.sampled_from("abc"), inner)
    ),
    max_leaves=30,
)


@st.composite
def deep_values(draw: Any) -> Any:
    """Generated nested data, wrapped in a chain of single-item lists, sometimes sharing one
    subtree between two places (the same object twice)."""
    value = draw(_DATA)
    for _ in range(draw(st.integers(0, 40))):
        value = [value, value] if draw(st.integers(0, 9)) == 0 else [value]
    return value


def outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except ValidationError as exc:
        return "errors", exc.errors()


@_native_only
@SETTINGS
@given(recursive_unions(), deep_values(), st.sampled_from([100, 2, 1]))
def test_native_and_pure_agree_on_recursive_unions(schema: Any, value: Any, limit: int) -> None:
    """Property 13 on recursive unions over deep generated data, as data and as JSON."""
    plan = make_plan(schema.core(), max_errors=limit, max_depth=1000)
    n, p = _native.Validator(plan), pure_gtype.Validator(plan)
    got_n, got_p = outcome(lambda: n.validate(value)), outcome(lambda: p.validate(value))
    assert got_n[0] == got_p[0]
    if got_n[0] == "ok":
        assert got_n[1] is value and got_p[1] is value
    else:
        assert got_n[1] == got_p[1]
    assert n.is_valid(value) == p.is_valid(value) == (got_n[0] == "ok")
    data = json.dumps(value)
    assert outcome(lambda: n.validate_json(data)) == outcome(lambda: p.validate_json(data))
