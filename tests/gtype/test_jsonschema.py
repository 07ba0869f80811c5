"""gt.to_json_schema: valid 2020-12 documents that accept the same JSON values as GType.

Kinds that do not map one to one, and so are kept out of the differential test:

* formats: the `jsonschema` package checks ``email`` only for an ``@``, and ``hostname``,
  ``time``, ``date-time`` and ``url`` (``uri``) only when optional packages are installed;
  ``uuid`` accepts extra hyphens and braces that gati's scanner refuses. ``date``, ``ipv4`` and
  ``ipv6`` are compared.
* ``integer``: JSON Schema's integer accepts ``1.0``; GType's does not. Generated floats are
  therefore never integral.
* custom ``validators`` and an enum's ``enum_class`` are Python-only and not exported; arrays
  given as Python tuples or sets are not JSON data.
"""

from __future__ import annotations

import enum
import math
import string
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from gati import SchemaError, gt
from tests.gtype.strategies import Case, cases

Validator = jsonschema.Draft202012Validator


def export(core: dict[str, Any]) -> dict[str, Any]:
    doc = gt.to_json_schema(gt.from_core(core))
    Validator.check_schema(doc)
    return doc


def agree(core: dict[str, Any], value: Any) -> None:
    doc = export(core)
    ours = gt.validate(gt.from_core(core), value).valid
    theirs = Validator(doc, format_checker=Validator.FORMAT_CHECKER).is_valid(value)
    assert ours == theirs, (core, doc, value)


# --- the mapping, kind by kind -----------------------------------------------------------


def test_dialect_and_scalars() -> None:
    doc = export({"type": "string", "min_length": 1, "max_length": 3, "pattern": "^a"})
    assert doc == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "string",
        "minLength": 1,
        "maxLength": 3,
        "pattern": "^a",
    }
    num = {"type": "number", "min": 0, "exclusive_max": 1.5, "multiple_of": 0.5}
    assert export(num) | {"$schema": None} == {
        "$schema": None,
        "type": "number",
        "minimum": 0,
        "exclusiveMaximum": 1.5,
        "multipleOf": 0.5,
    }
    assert export({"type": "any"}) == {"$schema": gt.to_json_schema(gt.any())["$schema"]}
    assert export({"type": "string", "format": "url"})["format"] == "uri"
    assert export({"type": "string", "format": "date-time"})["format"] == "date-time"


def test_nullable_forms() -> None:
    assert export({"type": "string", "nullable": True})["type"] == ["string", "null"]
    assert export({"type": "literal", "values": ["a"], "nullable": True})["enum"] == ["a", None]
    assert export({"type": "enum", "values": [1, None], "nullable": True})["enum"] == [1, None]
    union = export({"type": "union", "members": [{"type": "string"}], "nullable": True})
    assert union["anyOf"] == [{"anyOf": [{"type": "string"}]}, {"type": "null"}]
    assert export({"type": "null", "nullable": True})["type"] == "null"
    assert export({"type": "any", "nullable": True}) == export({"type": "any"})


def test_literal_enum_and_documentation() -> None:
    class Color(enum.Enum):
        RED = "r"
        BLUE = "b"

    assert export({"type": "literal", "values": [3]})["const"] == 3
    doc = gt.to_json_schema(gt.enum(Color))
    assert doc["enum"] == ["r", "b"]
    described = export({"type": "integer", "description": "an age", "default": 3})
    assert described["description"] == "an age" and described["default"] == 3


def test_object_extra_tuple_record() -> None:
    props = {"a": {"type": "string"}, "b": {"type": "integer"}}
    doc = export({"type": "object", "properties": props, "required": ["a"], "extra": "forbid"})
    assert doc["required"] == ["a"] and doc["additionalProperties"] is False
    assert list(doc["properties"]) == ["a", "b"]
    doc = export({"type": "object", "properties": {}, "extra": {"type": "integer"}})
    assert doc["additionalProperties"] == {"type": "integer"} and "required" not in doc
    assert "additionalProperties" not in export({"type": "object", "properties": {}})
    tup = export({"type": "tuple", "items": [{"type": "string"}], "rest": {"type": "integer"}})
    assert tup["prefixItems"] == [{"type": "string"}] and tup["items"] == {"type": "integer"}
    assert tup["minItems"] == 1 and "maxItems" not in tup
    fixed = export({"type": "tuple", "items": [{"type": "string"}]})
    assert fixed["minItems"] == fixed["maxItems"] == 1
    assert export({"type": "record", "values": {"type": "boolean"}})["additionalProperties"] == {
        "type": "boolean"
    }


def test_unions_and_intersections() -> None:
    doc = export({"type": "union", "members": [{"type": "string"}, {"type": "integer"}]})
    assert doc["anyOf"] == [{"type": "string"}, {"type": "integer"}]
    tagged = {
        "type": "union",
        "discriminator": "kind",
        "members": [
            {
                "type": "object",
                "properties": {"kind": {"type": "literal", "values": [t]}},
                "required": ["kind"],
            }
            for t in ("a", "b")
        ],
    }
    doc = export(tagged)
    assert len(doc["oneOf"]) == 2 and doc["discriminator"] == {"propertyName": "kind"}
    for value in ({"kind": "a"}, {"kind": "c"}, {}, [], {"kind": "b", "x": 1}):
        agree(tagged, value)
    both = export({"type": "intersection", "members": [{"type": "integer"}, {"type": "number"}]})
    assert both["allOf"] == [{"type": "integer"}, {"type": "number"}]


def test_named_schemas_become_defs_and_refs() -> None:
    tree = {
        "type": "object",
        "name": "Tree/1",
        "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"type": "ref", "name": "Tree/1"}},
            "parent": {"type": "ref", "name": "Tree/1", "nullable": True},
        },
        "required": ["value", "children"],
    }
    doc = export(tree)
    assert doc["$ref"] == "#/$defs/Tree~11"
    assert doc["$defs"]["Tree/1"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree~11"}
    parent = doc["$defs"]["Tree/1"]["properties"]["parent"]
    assert parent == {"anyOf": [{"$ref": "#/$defs/Tree~11"}, {"type": "null"}]}
    good = {"value": 1, "children": [{"value": 2, "children": [], "parent": None}]}
    bad = {"value": 1, "children": [{"value": "2", "children": []}]}
    for value in (good, bad, {"value": 1}, None):
        agree(tree, value)


def test_refs_can_point_at_openapi_components() -> None:
    node = gt.object({"next": gt.ref("Link", nullable=True)}, name="Link")
    doc = gt.to_json_schema(node, ref_prefix="#/components/schemas/")
    assert doc["$ref"] == "#/components/schemas/Link"
    link = doc["$defs"]["Link"]["properties"]["next"]["anyOf"][0]
    assert link == {"$ref": "#/components/schemas/Link"}


def test_dangling_or_conflicting_names_are_refused() -> None:
    with pytest.raises(SchemaError, match="names no schema"):
        gt.to_json_schema({"type": "ref", "name": "Nope"})
    twice = {
        "type": "tuple",
        "items": [{"type": "string", "name": "X"}, {"type": "integer", "name": "X"}],
    }
    with pytest.raises(SchemaError, match="duplicate definition name"):
        gt.to_json_schema(twice)


def test_from_type_exports_for_openapi() -> None:
    doc = gt.to_json_schema(gt.from_type(list[int | None]))
    Validator.check_schema(doc)
    assert doc["items"] == {"type": ["integer", "null"]}


# --- differential: GType and the jsonschema package on generated schemas and values --------

_text = st.text(string.ascii_letters[:4] + "0123456789-.:@", max_size=8)
_floats = st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
    lambda f: not f.is_integer()
)
_numbers = st.one_of(st.integers(-20, 20), _floats)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), _numbers, _text),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.sampled_from("abcd"), kids, max_size=4)
    ),
    max_leaves=10,
)
_low = st.none() | st.integers(-10, 10)
_span = st.none() | st.integers(1, 10)
_length = st.none() | st.integers(0, 4)


def _drop_none(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _lengths(lo: int | None, span: int | None, low: str, high: str) -> dict[str, Any]:
    hi = None if span is None else (lo or 0) + span - 1
    return _drop_none(**{low: lo, high: hi})


def _number(kind: str, lo: int | None, span: int | None, xlo: bool, xhi: bool, m: Any) -> Any:
    hi = None if span is None else (lo if lo is not None else 0) + span
    bounds = {"exclusive_min" if xlo else "min": lo, "exclusive_max" if xhi else "max": hi}
    return {"type": kind, **_drop_none(**bounds, multiple_of=m)}


_strings = st.builds(
    lambda lo, span, pattern, fmt: {
        "type": "string",
        **_lengths(lo, span, "min_length", "max_length"),
        **_drop_none(pattern=pattern, format=fmt),
    },
    _length,
    _span,
    st.none() | st.sampled_from(["^a", "[0-9]", "b$", "^[a-d]*$"]),
    st.none() | st.sampled_from(["date", "ipv4", "ipv6"]),
)
_nums = st.builds(
    _number,
    st.sampled_from(["integer", "number"]),
    _low,
    _span,
    st.booleans(),
    st.booleans(),
    st.none() | st.integers(1, 4),
)
_scalars = st.one_of(
    _strings,
    _nums,
    st.sampled_from([{"type": "boolean"}, {"type": "null"}, {"type": "any"}]),
    st.builds(
        lambda t, vs: {"type": t, "values": vs},
        st.sampled_from(["literal", "enum"]),
        st.lists(st.sampled_from(["a", "b", 1, 2, True, None]), min_size=1, max_size=3),
    ),
)


def _containers(kids: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = st.builds(
        lambda props, req, extra: {
            "type": "object",
            "properties": props,
            "required": [k for k in props if k in req],
            "extra": extra,
        },
        st.dictionaries(st.sampled_from("abcd"), kids, max_size=3),
        st.sets(st.sampled_from("abcd")),
        st.sampled_from(["ignore", "forbid"]) | kids,
    )
    arrays = st.builds(
        lambda items, lo, span, uniq: {
            "type": "array",
            "items": items,
            "unique_items": uniq,
            **_lengths(lo, span, "min_items", "max_items"),
        },
        kids,
        _length,
        _span,
        st.booleans(),
    )
    tuples = st.builds(
        lambda items, rest: {"type": "tuple", "items": items, **_drop_none(rest=rest)},
        st.lists(kids, max_size=3),
        st.none() | kids,
    )
    return st.one_of(
        objects,
        arrays,
        tuples,
        st.builds(lambda v: {"type": "record", "values": v}, kids),
        st.builds(
            lambda ms: {"type": "union", "members": ms}, st.lists(kids, min_size=1, max_size=3)
        ),
        st.builds(
            lambda ms: {"type": "intersection", "members": ms},
            st.lists(kids, min_size=1, max_size=2),
        ),
    )


def _nullable(node: dict[str, Any], flag: bool) -> dict[str, Any]:
    return {**node, "nullable": True} if flag else node


core_schemas = st.recursive(
    st.builds(_nullable, _scalars, st.booleans()),
    lambda kids: st.builds(_nullable, _containers(kids), st.booleans()),
    max_leaves=6,
)
_format_strings = st.sampled_from(
    [
        "2024-02-29",
        "2023-02-29",
        "0000-01-01",
        "1.2.3.4",
        "01.2.3.4",
        "256.0.0.1",
        "::1",
        "1::2::3",
        "fe80::1%eth0",
        "::ffff:1.2.3.4",
        "2001:db8::",
        "2024-1-01",
    ]
)


def values_for(core: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values shaped by the schema, so that many are valid (neither side is assumed)."""
    kind = core["type"]
    base: st.SearchStrategy[Any]
    if kind == "string":
        base = _text | _format_strings
    elif kind in ("integer", "number"):
        lo = min((v for k, v in core.items() if k in ("min", "exclusive_min")), default=-20)
        base = st.integers(lo - 1, lo + 12) | (_floats if kind == "number" else st.nothing())
    elif kind in ("literal", "enum"):
        base = st.sampled_from(core["values"])
    elif kind == "object":
        props = {k: values_for(v) for k, v in core["properties"].items()}
        required = {k: props.pop(k) for k in core["required"]}
        base = st.fixed_dictionaries(required, optional={**props, "z": json_values})
    elif kind == "array":
        base = st.lists(values_for(core["items"]), max_size=4)
    elif kind == "tuple":
        rest = st.lists(values_for(core["rest"]), max_size=2) if "rest" in core else st.just([])
        fixed = st.tuples(*map(values_for, core["items"])).map(list)
        base = st.builds(lambda a, b: a + b, fixed, rest)
    elif kind == "record":
        base = st.dictionaries(st.sampled_from("abcd"), values_for(core["values"]), max_size=3)
    elif kind == "union":
        base = st.one_of([values_for(m) for m in core["members"]])
    elif kind == "intersection":
        base = values_for(core["members"][0])
    else:
        base = json_values
    return base | st.none() if core.get("nullable") else base


@settings(max_examples=200, deadline=None)
@given(core_schemas, st.data())
def test_gtype_and_jsonschema_agree_on_generated_values(core: dict[str, Any], data: Any) -> None:
    """Exported schemas are valid 2020-12 and accept exactly the JSON values GType accepts."""
    doc = export(core)
    checker = Validator(doc, format_checker=Validator.FORMAT_CHECKER)
    validator = gt.compile(gt.from_core(core))
    values = data.draw(st.lists(values_for(core) | json_values, min_size=1, max_size=6))
    for value in values:
        assert validator.is_valid(value) == checker.is_valid(value), (core, doc, value)


_COMPARED_FORMATS = (None, "date", "ipv4", "ipv6")


def _one_to_one(node: dict[str, Any]) -> bool:
    """No custom validators and only the formats both sides check the same way, anywhere."""
    if node.get("validators") or node.get("format") not in _COMPARED_FORMATS:
        return False
    kids = [*node.get("properties", {}).values(), *node.get("members", ())]
    kids += node["items"] if isinstance(node.get("items"), list) else [node.get("items")]
    kids += [node.get("rest"), node.get("values"), node.get("extra")]
    return all(_one_to_one(k) for k in kids if isinstance(k, dict))


def _is_json(value: Any) -> bool:
    """JSON data as `json.loads` makes it (no tuples, sets, Enum members, integral floats)."""
    if isinstance(value, list):
        return type(value) is list and all(map(_is_json, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    if isinstance(value, float):
        return math.isfinite(value) and not value.is_integer()
    return type(value) in (str, int, bool, type(None))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cases(), st.data())
def test_gtype_and_jsonschema_agree_on_the_shared_strategies(case: Case, data: Any) -> None:
    """The same agreement on tests/gtype/strategies.py cases (refs, tagged unions included)."""
    core = case.core
    assume(_one_to_one(core))
    try:
        value = data.draw(case.mixed)
    except InvalidArgument:  # the shared strategy cannot fill e.g. two unique nulls
        assume(False)
        return
    assume(_is_json(value))
    doc = export(core)
    checker = Validator(doc, format_checker=Validator.FORMAT_CHECKER)
    assert gt.validate(gt.from_core(core), value).valid == checker.is_valid(value), (doc, value)
