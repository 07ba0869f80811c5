"""The gt.* DSL and Schema objects (docs/gtype.md §1–§3)."""

from __future__ import annotations

import enum
import pickle

import pytest

import gati
from gati import Schema, SchemaError, gt


class Role(enum.Enum):
    ADMIN = "admin"
    USER = "user"


def test_public_names() -> None:
    for name in ("gt", "Schema", "Validator", "ValidationError", "SchemaError", "format_path"):
        assert hasattr(gati, name)
    assert gati.backend() in ("native", "pure")
    assert isinstance(gt.compile(gt.string()), gati.Validator)


def test_core_omits_defaults() -> None:
    assert gt.string().core() == {"type": "string"}
    assert gt.integer(min=1, nullable=False).core() == {"type": "integer", "min": 1}
    assert gt.array(gt.null(), unique_items=False).core() == {
        "type": "array",
        "items": {"type": "null"},
    }
    assert gt.object({"a": gt.any()}, extra="ignore").core() == {
        "type": "object",
        "properties": {"a": {"type": "any"}},
        "required": ["a"],
    }


def test_object_required_and_optional() -> None:
    s = gt.object({"a": gt.string(), "b": gt.optional(gt.integer())}, extra="forbid")
    assert s.core() == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
        "extra": "forbid",
    }
    assert gt.optional(gt.string()).is_optional
    extra = gt.object({}, extra=gt.integer())
    assert extra.core()["extra"] == {"type": "integer"}


def test_common_keys() -> None:
    def check(v: object) -> bool:
        return True

    s = gt.string(nullable=True, description="d", default="x", validators=[check], name="S")
    assert s.core() == {
        "type": "string",
        "nullable": True,
        "description": "d",
        "default": "x",
        "validators": [check],
        "name": "S",
    }
    assert s.name == "S" and s.kind == "string"
    assert gt.null(default=None).core() == {"type": "null", "default": None}


def test_every_constructor() -> None:
    assert gt.number(exclusive_min=0, multiple_of=0.5).core() == {
        "type": "number",
        "exclusive_min": 0,
        "multiple_of": 0.5,
    }
    assert gt.boolean().core() == {"type": "boolean"}
    assert gt.literal("a", 1, True, None).core() == {
        "type": "literal",
        "values": ["a", 1, True, None],
    }
    assert gt.enum([1, 2.5]).core() == {"type": "enum", "values": [1, 2.5]}
    assert gt.enum(Role).core() == {"type": "enum", "values": ["admin", "user"], "enum_class": Role}
    assert gt.tuple([gt.string()], rest=gt.integer()).core() == {
        "type": "tuple",
        "items": [{"type": "string"}],
        "rest": {"type": "integer"},
    }
    assert gt.record(gt.boolean()).core() == {"type": "record", "values": {"type": "boolean"}}
    assert gt.union(gt.string(), gt.null()).core() == {
        "type": "union",
        "members": [{"type": "string"}, {"type": "null"}],
    }
    assert gt.intersection(gt.any()).core() == {
        "type": "intersection",
        "members": [{"type": "any"}],
    }
    assert gt.ref("Node", nullable=True).core() == {"type": "ref", "name": "Node", "nullable": True}


def test_schema_is_immutable_and_hashable() -> None:
    a = gt.object({"x": gt.array(gt.string(min_length=1))})
    b = gt.object({"x": gt.array(gt.string(min_length=1))})
    assert a == b and hash(a) == hash(b)
    assert a != gt.object({"x": gt.array(gt.string(min_length=2))})
    assert gt.integer(min=1) != gt.integer(min=1.0)
    assert len({a, b}) == 1
    core = a.core()
    core["properties"]["x"]["items"]["min_length"] = 99
    assert a == b
    with pytest.raises(AttributeError):
        a.foo = 1  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(b)) == b


def test_from_core_round_trip() -> None:
    s = gt.object(
        {
            "kind": gt.literal("a"),
            "items": gt.array(gt.ref("Node"), max_items=3),
            "opt": gt.optional(gt.union(gt.integer(), gt.null())),
        },
        name="Node",
        extra=gt.string(),
    )
    assert gt.from_core(s.core()) == s
    assert gt.from_core({"type": "string", "nullable": False, "validators": []}) == gt.string()
    assert isinstance(gt.from_core({"type": "any"}), Schema)


def test_dsl_refuses_bad_input() -> None:
    with pytest.raises(TypeError):
        gt.string(bogus=1)
    with pytest.raises(TypeError):
        gt.ref("A", name="B")
    with pytest.raises(SchemaError):
        gt.enum("abc")
    with pytest.raises(SchemaError):
        gt.array("not a schema")  # type: ignore[arg-type]
    with pytest.raises(SchemaError):
        gt.from_core({"type": "string", "min_length": -1})
    with pytest.raises(SchemaError):
        gt.from_core({"type": "object", "properties": {"a": {"type": "nope"}}})
    with pytest.raises(SchemaError):
        gt.compile({"type": "string"})  # type: ignore[arg-type]


def test_validate_result() -> None:
    s = gt.integer(min=0)
    ok = gt.validate(s, 3)
    assert ok.valid and ok.errors == [] and ok.value == 3
    bad = gt.validate(s, -1)
    assert not bad.valid and bad.value is None
    assert [e["code"] for e in bad.errors] == ["number_min"]
