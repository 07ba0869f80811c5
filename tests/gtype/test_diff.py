"""gt.diff: DESIGN §7's breaking-change rules, per role, and Property 14 on generated pairs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from gati import SchemaError, gt
from tests.gtype.strategies import Case, cases

ROLES = ("request", "response", "both")


def obj(props: dict[str, Any], required: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    names = list(props) if required is None else required
    return {"type": "object", "properties": props, "required": names, **kw}


def changes(old: Any, new: Any, role: str) -> list[tuple[tuple[Any, ...], str, bool]]:
    return [(c.path, c.kind, c.breaking) for c in gt.diff(old, new, role=role).changes]


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741


# --- DESIGN §7, rule by rule, in both directions -------------------------------------------


def test_identical_schemas_have_no_changes() -> None:
    schema = obj({"a": S, "b": {"type": "array", "items": I}})
    for role in ROLES:
        d = gt.diff(schema, copy.deepcopy(schema), role=role)
        assert d.changes == () and not d.breaking
        assert str(d) == "no changes"


def test_new_required_request_field_is_breaking() -> None:
    old, new = obj({"a": S}), obj({"a": S, "b": I})
    assert changes(old, new, "request") == [(("b",), "property_added", True)]
    assert changes(old, new, "response") == [(("b",), "property_added", False)]
    # the other way round: a removed request field is not breaking, a removed response one is
    assert changes(new, old, "request") == [(("b",), "property_removed", False)]
    assert changes(new, old, "response") == [(("b",), "property_removed", True)]


def test_new_optional_request_field_is_not_breaking() -> None:
    old, new = obj({"a": S}), obj({"a": S, "b": I}, ["a"])
    for role in ROLES:
        assert changes(old, new, role) == [(("b",), "property_added", False)]


def test_removed_request_field_breaks_when_extra_keys_are_forbidden() -> None:
    old, new = obj({"a": S, "b": I}), obj({"a": S}, extra="forbid")
    d = changes(old, new, "request")
    assert (("b",), "property_removed", True) in d


def test_removed_request_field_meets_the_new_extra_schema() -> None:
    old, new = obj({"a": S}), obj({}, extra=I)
    assert changes(old, new, "request") == [
        (("a",), "property_removed", False),
        (("a",), "type_changed", True),
        ((), "extra_changed", True),
    ]


def test_optional_to_required() -> None:
    opt, req = obj({"a": S}, []), obj({"a": S})
    assert changes(opt, req, "request") == [(("a",), "property_required", True)]
    assert changes(opt, req, "response") == [(("a",), "property_required", False)]
    assert changes(req, opt, "request") == [(("a",), "property_optional", False)]
    assert changes(req, opt, "response") == [(("a",), "property_optional", True)]


def test_any_type_change_is_breaking() -> None:
    for role in ROLES:
        assert changes(obj({"a": S}), obj({"a": I}), role) == [(("a",), "type_changed", True)]
        assert changes(I, {"type": "number"}, role) == [((), "type_changed", True)]


def test_nullable_to_non_nullable_is_breaking_in_every_role() -> None:
    for role in ROLES:
        assert changes({**S, "nullable": True}, S, role) == [((), "nullable_removed", True)]
    assert changes(S, {**S, "nullable": True}, "request") == [((), "nullable_added", False)]
    assert changes(S, {**S, "nullable": True}, "response") == [((), "nullable_added", True)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"type": "integer"}, {"type": "integer", "min": 0}),
        ({"type": "integer", "min": 0}, {"type": "integer", "min": 1}),
        ({"type": "number", "max": 10}, {"type": "number", "max": 9.5}),
        ({"type": "number", "exclusive_min": 0}, {"type": "number", "exclusive_min": 1}),
        ({"type": "number", "exclusive_max": 5}, {"type": "number", "exclusive_max": 4}),
        ({"type": "integer", "multiple_of": 2}, {"type": "integer", "multiple_of": 4}),
        ({"type": "string"}, {"type": "string", "max_length": 3}),
        ({"type": "string", "min_length": 1}, {"type": "string", "min_length": 2}),
        ({"type": "string"}, {"type": "string", "pattern": "^a"}),
        ({"type": "string"}, {"type": "string", "format": "email"}),
        ({"type": "array", "items": S}, {"type": "array", "items": S, "max_items": 3}),
        ({"type": "array", "items": S}, {"type": "array", "items": S, "unique_items": True}),
        ({"type": "literal", "values": ["a", "b"]}, {"type": "literal", "values": ["a"]}),
        ({"type": "enum", "values": [1, 2, 3]}, {"type": "enum", "values": [1, 3]}),
        (obj({}), obj({}, extra="forbid")),
        (
            {"type": "union", "members": [S, I]},
            {"type": "union", "members": [S]},
        ),
        ({"type": "tuple", "items": [S], "rest": I}, {"type": "tuple", "items": [S]}),
    ],
)
def test_narrowed_request_constraints_break_and_widened_do_not(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    narrowed = gt.diff(old, new, role="request")
    assert narrowed.changes and narrowed.breaking, narrowed
    widened = gt.diff(new, old, role="request")
    assert widened.changes and not widened.breaking, widened
    # a response may narrow what it sends; sending more than promised breaks clients
    assert not gt.diff(old, new, role="response").breaking
    # ...except extra keys, which in a response are new fields: never breaking
    only_extra = old["type"] == "object"
    assert gt.diff(new, old, role="response").breaking != only_extra
    assert gt.diff(old, new).breaking
    assert gt.diff(new, old).breaking != only_extra


def test_incomparable_constraint_changes_break_both_roles() -> None:
    a = {"type": "string", "pattern": "^a"}
    b = {"type": "string", "pattern": "^b"}
    c = {"type": "integer", "multiple_of": 3}
    d = {"type": "integer", "multiple_of": 2}
    for role in ("request", "response"):
        assert gt.diff(a, b, role=role).breaking
        assert gt.diff(c, d, role=role).breaking


def test_added_literal_values_break_only_responses() -> None:
    old = {"type": "literal", "values": ["a"]}
    new = {"type": "literal", "values": ["a", "b"]}
    assert changes(old, new, "request") == [((), "values_added", False)]
    assert changes(old, new, "response") == [((), "values_added", True)]


def test_literal_values_compare_by_json_kind() -> None:
    old = {"type": "literal", "values": [1]}
    new = {"type": "literal", "values": [True]}
    kinds = [c.kind for c in gt.diff(old, new).changes]
    assert kinds == ["values_removed", "values_added"]


def test_paths_reach_nested_nodes() -> None:
    old = obj({"items": {"type": "array", "items": obj({"n": I})}})
    new = obj({"items": {"type": "array", "items": obj({"n": {**I, "max": 3}})}})
    d = gt.diff(old, new, role="request")
    assert [(c.path, c.kind) for c in d.changes] == [(("items", "[]", "n"), "max_changed")]
    assert str(d.changes[0]).startswith("items.[].n: max: None → 3")


def test_records_tuples_and_extra_schemas_recurse() -> None:
    rec_old, rec_new = {"type": "record", "values": S}, {"type": "record", "values": I}
    assert changes(rec_old, rec_new, "request") == [(("{}",), "type_changed", True)]
    tup_old = {"type": "tuple", "items": [S, S]}
    tup_new = {"type": "tuple", "items": [S, {**S, "min_length": 1}]}
    assert changes(tup_old, tup_new, "request") == [((1,), "min_length_changed", True)]
    assert changes(tup_old, {"type": "tuple", "items": [S]}, "request")[0][1:] == (
        "tuple_length_changed",
        True,
    )
    ext_old, ext_new = obj({}, extra=S), obj({}, extra={**S, "max_length": 2})
    assert changes(ext_old, ext_new, "request") == [(("{}",), "max_length_changed", True)]


def test_union_members_pair_by_kind_and_a_member_may_be_promoted() -> None:
    old = {"type": "union", "members": [S, obj({"a": I})]}
    new = {"type": "union", "members": [obj({"a": I, "b": S}), S]}
    d = gt.diff(old, new, role="request")
    assert [(c.path, c.kind, c.breaking) for c in d.changes] == [
        (("|0", "b"), "property_added", True)
    ]
    # X → X | Y adds a member: wider for requests, breaking for responses
    widened = {"type": "union", "members": [S, I]}
    assert changes(S, widened, "request") == [(("|1",), "member_added", False)]
    assert changes(S, widened, "response") == [(("|1",), "member_added", True)]


def test_discriminated_union_members_pair_by_tag() -> None:
    def tagged(tag: str, **props: Any) -> dict[str, Any]:
        return obj({"kind": {"type": "literal", "values": [tag]}, **props})

    old = {"type": "union", "discriminator": "kind", "members": [tagged("a"), tagged("b")]}
    new = {
        "type": "union",
        "discriminator": "kind",
        "members": [tagged("b", x=I), tagged("a")],
    }
    assert changes(old, new, "request") == [(("|0", "x"), "property_added", True)]


def test_recursive_schemas_through_refs() -> None:
    def tree(value: dict[str, Any]) -> dict[str, Any]:
        node = obj(
            {"value": value, "children": {"type": "array", "items": {"type": "ref", "name": "T"}}}
        )
        return {**node, "name": "T"}

    assert gt.diff(tree(I), tree(I)).changes == ()
    d = gt.diff(tree(I), tree(S), role="request")
    assert [(c.path, c.kind) for c in d.changes] == [(("value",), "type_changed")]


def test_each_use_of_a_named_schema_is_compared() -> None:
    point = obj({"x": I}, name="P")
    ref = {"type": "ref", "name": "P"}
    old = obj({"a": point, "b": {**ref, "nullable": True}})
    new = obj({"a": point, "b": ref})
    assert changes(old, new, "response") == [(("b",), "nullable_removed", True)]


def test_promotion_to_a_union_reports_nullable_once() -> None:
    old = {**S, "nullable": True}
    new = {"type": "union", "members": [S, I]}
    assert [c.kind for c in gt.diff(old, new).changes] == ["nullable_removed", "member_added"]


def test_custom_validators_compare_by_name() -> None:
    def positive(v: int) -> bool:
        return v > 0

    old, new = I, {**I, "validators": [positive]}
    assert changes(old, new, "request") == [((), "validators_changed", True)]
    assert changes(new, old, "request") == [((), "validators_changed", False)]


def test_documentation_changes_are_reported_and_never_break() -> None:
    d = gt.diff({**S, "description": "x"}, {**S, "description": "y", "default": "z"})
    assert [(c.kind, c.breaking) for c in d.changes] == [
        ("description_changed", False),
        ("default_changed", False),
    ]


def test_accepts_schema_objects_and_rejects_bad_input() -> None:
    d = gt.diff(gt.string(), gt.integer(), role="request")
    assert d.breaking and d.role == "request"
    with pytest.raises(ValueError, match="role"):
        gt.diff(S, S, role="sideways")  # type: ignore[arg-type]
    with pytest.raises(SchemaError):
        gt.diff({"no": "type"}, S)
    with pytest.raises(SchemaError, match="names no schema"):
        gt.diff({"type": "ref", "name": "missing"}, S)


# --- Property 14: breaking-change detection on generated schema pairs -----------------------

_leaf = st.one_of(
    st.just({"type": "string"}),
    st.builds(lambda n: {"type": "string", "max_length": n}, st.integers(1, 20)),
    st.just({"type": "integer"}),
    st.builds(lambda n: {"type": "integer", "min": n}, st.integers(-5, 5)),
    st.just({"type": "number"}),
    st.just({"type": "boolean"}),
    st.builds(
        lambda vs: {"type": "literal", "values": vs},
        st.lists(st.sampled_from(["a", "b", 1, 2, None]), min_size=1, max_size=3, unique=True),
    ),
)
_names = st.text("abcdefgh", min_size=1, max_size=3)


def _objects(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(_names, children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda req: obj(props, [k for k in props if k in req]),
            st.sets(st.sampled_from(sorted(props))) if props else st.just(set()),
        )
    )


schemas = st.recursive(
    _leaf,
    lambda kids: st.one_of(
        _objects(kids),
        st.builds(lambda i: {"type": "array", "items": i}, kids),
        st.builds(lambda v: {"type": "record", "values": v}, kids),
    ),
    max_leaves=8,
)
object_schemas = _objects(schemas)


def _fresh(schema: dict[str, Any]) -> str:
    name = "new"
    while name in schema["properties"]:
        name += "_"
    return name


@settings(max_examples=150)
@given(schemas)
def test_property_14_a_schema_against_itself_has_no_changes(schema: dict[str, Any]) -> None:
    """Property 14."""
    assert gt.diff(schema, copy.deepcopy(schema)).changes == ()


@settings(max_examples=150)
@given(object_schemas, schemas)
def test_property_14_new_required_request_field_always_breaks(
    schema: dict[str, Any], field: dict[str, Any]
) -> None:
    """Property 14: adding a required request field is always breaking; an optional one never."""
    name = _fresh(schema)
    required = {**schema, "properties": {**schema["properties"], name: field}}
    required["required"] = [*schema["required"], name]
    optional = {**required, "required": schema["required"]}
    assert gt.diff(schema, required, role="request").breaking
    assert not gt.diff(schema, optional, role="request").breaking
    # new response fields, required or not, never break
    assert not gt.diff(schema, required, role="response").breaking
    # removing them again: fine for requests, breaking for responses
    assert not gt.diff(required, schema, role="request").breaking
    assert gt.diff(required, schema, role="response").breaking


@settings(max_examples=150)
@given(object_schemas, st.data())
def test_property_14_optional_to_required_and_back(schema: dict[str, Any], data: Any) -> None:
    """Property 14: request optional→required breaks; response required→optional breaks."""
    optional = [k for k in schema["properties"] if k not in schema["required"]]
    assume(optional)
    name = data.draw(st.sampled_from(optional))
    stricter = {**schema, "required": [*schema["required"], name]}
    assert gt.diff(schema, stricter, role="request").breaking
    assert not gt.diff(schema, stricter, role="response").breaking
    assert gt.diff(stricter, schema, role="response").breaking
    assert not gt.diff(stricter, schema, role="request").breaking


@settings(max_examples=150)
@given(schemas, st.sampled_from(ROLES))
def test_property_14_losing_nullable_always_breaks(schema: dict[str, Any], role: str) -> None:
    """Property 14: nullable → non-nullable is breaking whatever the role."""
    assume(not schema.get("nullable"))
    assert gt.diff({**schema, "nullable": True}, schema, role=role).breaking


@settings(max_examples=150)
@given(schemas, schemas, st.sampled_from(ROLES))
def test_property_14_a_changed_kind_always_breaks(
    old: dict[str, Any], new: dict[str, Any], role: str
) -> None:
    """Property 14: any type change is breaking (a union member added is not a type change)."""
    assume(old["type"] != new["type"])
    assert gt.diff(old, new, role=role).breaking


@settings(max_examples=150)
@given(schemas, schemas)
def test_property_14_roles_mirror_each_other(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Property 14: "both" breaks exactly when either role does."""
    request = gt.diff(old, new, role="request").breaking
    response = gt.diff(old, new, role="response").breaking
    assert gt.diff(old, new).breaking == (request or response)


# --- Property 14, checked against validation: a non-breaking request change keeps every
# value the old schema accepted valid. New schemas are one random edit of a generated one.

_NEW = "new_field"  # longer than any key the shared strategies generate, so never sent before


def _nodes(core: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of the tree, in a stable order."""
    out = [core]
    for key in ("properties",):
        out += [n for child in core.get(key, {}).values() for n in _nodes(child)]
    for key in ("items", "members"):
        kids = core.get(key)
        for child in kids if isinstance(kids, list) else [kids] if kids else []:
            out += _nodes(child)
    for key in ("rest", "values", "extra"):
        if isinstance(core.get(key), dict):
            out += _nodes(core[key])
    return out


def _edits(node: dict[str, Any]) -> list[dict[str, Any]]:
    """Edited copies of one node: the kinds of change DESIGN §7 names, in both directions."""
    flip = {**node, "nullable": not node.get("nullable", False)}
    out = [flip, {"type": "string"}, {"type": "any"}, {**node, "validators": []}]
    kind = node["type"]
    if kind in ("string", "array"):
        low, high = ("min_length", "max_length") if kind == "string" else ("min_items", "max_items")
        out += [{**node, low: node.get(low, 0) + 1}, {**node, high: node.get(high, 9) - 1}]
        out += [{k: v for k, v in node.items() if k not in (low, high)}]
    if kind in ("number", "integer"):
        for key in ("min", "max", "exclusive_min", "exclusive_max"):
            out.append({k: v for k, v in node.items() if k != key})
            out.append({**node, key: node.get(key, 0) + (1 if "min" in key else -1)})
        out.append({**node, "multiple_of": 2})
    if kind in ("literal", "enum") and len(node["values"]) > 1:
        out.append({**node, "values": node["values"][1:]})
    if kind in ("literal", "enum"):
        out.append({**node, "values": [*node["values"], "zz"]})
    if kind == "array":
        out.append({**node, "unique_items": not node.get("unique_items", False)})
    if kind == "object":
        props, required = node["properties"], node.get("required", [])
        out.append({**node, "properties": {**props, _NEW: {"type": "integer"}}})
        out.append({**node, "properties": {**props, _NEW: S}, "required": [*required, _NEW]})
        out += [{**node, "extra": extra} for extra in ("ignore", "forbid", I)]
        for name in props:
            rest = {k: v for k, v in props.items() if k != name}
            out.append({**node, "properties": rest, "required": [r for r in required if r != name]})
            toggled = [r for r in required if r != name] + ([] if name in required else [name])
            out.append({**node, "required": toggled})
    if kind == "union":
        out.append({**node, "members": node["members"][:-1] or node["members"]})
        out.append({**node, "members": [*node["members"], I]})
    return out


def _replace(core: dict[str, Any], target: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    if core is target:
        return new
    out = dict(core)
    if "properties" in core:
        out["properties"] = {k: _replace(v, target, new) for k, v in core["properties"].items()}
    for key in ("items", "members"):
        if isinstance(core.get(key), list):
            out[key] = [_replace(v, target, new) for v in core[key]]
    for key in ("items", "rest", "values", "extra"):
        if isinstance(core.get(key), dict):
            out[key] = _replace(core[key], target, new)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cases(max_leaves=5), st.data())
def test_property_14_non_breaking_request_changes_keep_old_values_valid(
    case: Case, data: Any
) -> None:
    """Property 14: if diff(old, new, role="request") is not breaking, new accepts what old did."""
    old = case.core
    target = data.draw(st.sampled_from(_nodes(old)), label="node")
    edited = data.draw(st.sampled_from(_edits(target)), label="edit")
    try:
        new = gt.from_core(_replace(old, target, edited))
        validator = gt.compile(new)
    except SchemaError:  # the edit made an impossible schema (bounds, tags, dangling refs)
        assume(False)
        return
    report = gt.diff(old, new, role="request")
    assume(not report.breaking)
    try:
        values = data.draw(st.lists(case.valid, min_size=1, max_size=4), label="old values")
    except InvalidArgument:  # the shared strategy cannot fill e.g. two unique nulls
        assume(False)
        return
    before = gt.compile(gt.from_core(old))
    for value in values:
        if before.is_valid(value):  # "valid" draws are not always valid (validators in refs)
            assert validator.is_valid(value), (report, value)
