"""The planner: SchemaError cases, the plan's shape, regex engine choice (docs/gtype.md §4)."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from gati import SchemaError, gt
from gati.gtype._plan import make_plan
from gati.gtype._regex import linear_engine


class Pet(enum.Enum):
    CAT = "cat"


def plan_of(core: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return make_plan(core, **kw)


BAD_CORES = [
    ({"type": "nope"}, "unknown kind"),
    ({"type": "string", "min": 1}, "unknown key"),
    ({"type": "string", "format": "zip"}, "unknown format"),
    ({"type": "string", "min_length": 3, "max_length": 2}, "greater than"),
    ({"type": "string", "min_length": -1}, "≥ 0"),
    ({"type": "string", "max_length": True}, "≥ 0"),
    ({"type": "array", "items": {"type": "any"}, "min_items": -2}, "≥ 0"),
    ({"type": "array", "items": {"type": "any"}, "min_items": 5, "max_items": 1}, "greater"),
    ({"type": "integer", "min": 5, "max": 1}, "no room"),
    ({"type": "number", "exclusive_min": 1, "exclusive_max": 1}, "no room"),
    ({"type": "number", "multiple_of": 0}, "multiple_of"),
    ({"type": "number", "multiple_of": -2}, "multiple_of"),
    ({"type": "number", "multiple_of": float("nan")}, "finite"),
    ({"type": "number", "min": float("inf")}, "finite"),
    ({"type": "integer", "max": "3"}, "finite"),
    ({"type": "string", "pattern": "(unclosed"}, "invalid pattern"),
    ({"type": "ref", "name": "Missing"}, "names no definition"),
    ({"type": "union", "members": []}, "at least one member"),
    ({"type": "intersection", "members": []}, "at least one member"),
    ({"type": "literal", "values": []}, "non-empty"),
    ({"type": "literal", "values": [1.5]}, "not allowed"),
    ({"type": "enum", "values": [[1]]}, "not allowed"),
    ({"type": "enum", "values": [1], "enum_class": int}, "Enum subclass"),
    ({"type": "object", "properties": {"a": {"type": "any"}}, "required": ["b"]}, "not among"),
    ({"type": "object", "properties": {}, "extra": "allow"}, "extra must be"),
    ({"type": "string", "nullable": 1}, "nullable"),
    ({"type": "string", "validators": [1]}, "callables"),
    ({"type": "string", "name": ""}, "name"),
    ({"type": "array", "items": {"type": "string", "optional": True}}, "gt.optional"),
    ({"type": "string", "optional": True}, "gt.optional"),
    (
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "name": "X"},
                "b": {"type": "integer", "name": "X"},
            },
        },
        "duplicate definition",
    ),
    (
        {"type": "union", "members": [{"type": "ref", "name": "U"}, {"type": "null"}], "name": "U"},
        "recursive ref",
    ),
    ({"type": "union", "members": [{"type": "string"}], "discriminator": "k"}, "discriminated"),
    (
        {
            "type": "union",
            "discriminator": "k",
            "members": [{"type": "object", "properties": {"k": {"type": "string"}}}],
        },
        "literal or enum",
    ),
    (
        {
            "type": "union",
            "discriminator": "k",
            "members": [
                {"type": "object", "properties": {"k": {"type": "literal", "values": ["a"]}}},
                {"type": "object", "properties": {"k": {"type": "literal", "values": ["a", "b"]}}},
            ],
        },
        "duplicate discriminator tag",
    ),
    ("not a dict", "must be a dict"),
]


@pytest.mark.parametrize(("core", "words"), BAD_CORES)
def test_schema_errors(core: Any, words: str) -> None:
    with pytest.raises(SchemaError, match=words):
        make_plan(core)


def test_limits_must_be_positive() -> None:
    with pytest.raises(SchemaError):
        make_plan({"type": "any"}, max_errors=0)
    with pytest.raises(SchemaError):
        make_plan({"type": "any"}, max_depth=True)


def test_optional_is_refused_outside_objects_by_compile() -> None:
    with pytest.raises(SchemaError, match=r"gt\.optional"):
        gt.compile(gt.optional(gt.string()))
    with pytest.raises(SchemaError, match=r"gt\.optional"):
        gt.compile(gt.union(gt.optional(gt.string())))


def test_plan_shape() -> None:
    core = gt.object(
        {
            "zip": gt.string(pattern=r"^[0-9]{5}$"),
            "n": gt.optional(gt.integer(min=18, nullable=True)),
        },
        extra="forbid",
    ).core()
    plan = plan_of(core, max_errors=5, max_depth=9)
    assert plan["max_errors"] == 5 and plan["max_depth"] == 9
    globals_ = {"depth_exceeded", "recursion_loop", "too_many_errors", "json_invalid"}
    assert set(plan["msgs"]) == globals_
    root = plan["root"]
    assert root["type"] == "object" and root["extra"] == "forbid"
    assert set(root) == {
        *("type", "nullable", "validators", "msgs", "convert"),
        *("properties", "extra", "instance_dict", "snapshot"),
    }
    assert root["snapshot"] is False
    (zip_name, zip_req, zip_node), (n_name, n_req, n_node) = root["properties"]
    assert (zip_name, zip_req, n_name, n_req) == ("zip", True, "n", False)
    assert zip_node == {
        "type": "string",
        "nullable": False,
        "validators": [],
        "msgs": {
            "string_type": ["string", "Input should be a valid string"],
            "string_pattern": [
                "string matching ^[0-9]{5}$",
                "String should match pattern '^[0-9]{5}$'",
            ],
        },
        "min_length": None,
        "max_length": None,
        "pattern": "^[0-9]{5}$",
        "pattern_timeout": None,
        "pattern_engine": "rust",
        "pattern_re2": "^[0-9]{5}(?:\\n?\\z)",
        "pattern_bounded": True,
        "format": None,
        "convert": None,
    }
    assert n_node["msgs"] == {
        "integer_type": ["integer or null", "Input should be a valid integer or null"],
        "number_min": ["integer ≥ 18", "Input should be greater than or equal to 18"],
    }
    assert root["msgs"]["object_extra"][0] == "no extra properties"


def test_definitions_and_refs() -> None:
    node = gt.object({"next": gt.ref("Node", nullable=True)}, name="Node")
    plan = plan_of(node.core())
    assert plan["definitions"]["Node"] is plan["root"]
    ref = plan["root"]["properties"][0][2]
    assert ref["type"] == "ref" and ref["name"] == "Node" and ref["nullable"] is True


def test_discriminator_mapping() -> None:
    cat = gt.object({"kind": gt.enum(Pet)}, name="Cat")
    dog = gt.object({"kind": gt.literal("dog", "puppy")})
    u = gt.union(gt.ref("Cat"), dog, discriminator="kind")
    plan = plan_of(gt.object({"pets": gt.array(u), "cat": cat}).core())
    union = plan["root"]["properties"][0][2]["items"]
    assert union["mapping"] == {"cat": 0, "dog": 1, "puppy": 1}
    assert union["msgs"]["union_tag_invalid"] == [
        'one of "cat", "dog", "puppy"',
        'Discriminator "kind" should be "cat", "dog" or "puppy"',
    ]
    assert plan_of(gt.union(gt.string()).core())["root"]["mapping"] is None


def test_expected_strings() -> None:
    def msgs(s: Any) -> dict[str, list[str]]:
        result: dict[str, list[str]] = plan_of(s.core())["root"]["msgs"]
        return result

    assert msgs(gt.string(format="email"))["string_format"] == [
        "email address",
        "Input should be a valid email address",
    ]
    assert msgs(gt.string(min_length=2, max_length=1 + 1))["string_max_length"][0] == (
        "string of at most 2 characters"
    )
    assert msgs(gt.number(exclusive_max=1.5))["number_exclusive_max"] == [
        "number < 1.5",
        "Input should be less than 1.5",
    ]
    assert msgs(gt.array(gt.any(), min_items=1))["array_min_items"][0] == "array of at least 1 item"
    assert msgs(gt.tuple([gt.any()], rest=gt.any()))["tuple_length"][0] == (
        "array of at least 1 item"
    )
    assert msgs(gt.literal("a", None))["literal_error"] == [
        'one of "a", null',
        'Input should be "a" or null',
    ]
    assert (
        msgs(gt.union(gt.string(), gt.object({}, name="X"), nullable=True))["union_mismatch"][0]
        == "string, X or null"
    )
    assert "custom" in msgs(gt.any(validators=[bool]))


@pytest.mark.parametrize(
    ("pattern", "engine"),
    [
        (r"^[0-9]{5}$", "rust"),
        (r"^[a-z]+(-[a-z]+)*$", "rust"),
        (r"a|b(?:c)*?d+?e??f{2}g{2,}h{2,3}?", "rust"),
        (r"\d\.\-\/[\d.,-]x", "rust"),
        (r"[^a-z]", "rust"),
        (r"[-a]", "rust"),
        (r"[a-]", "rust"),
        (r"héllo", "rust"),
        (r"\w+", "re2"),
        (r"\s", "re2"),
        (r"\bx", "re2"),
        (r"(?i)abc", "re2"),
        (r"(?P<n>a)", "re2"),
        (r"(?=a)", None),
        (r"a$b", "re2"),
        (r"[[a]]", "re2"),
        (r"[a&&b]", "re2"),
        (r"[a--b]", None),
        (r"[a~~b]", "re2"),
        (r"[]a]", "re2"),
        (r"a{", "re2"),
        (r"a}", "re2"),
        (r"a{2000}", None),
        (r"a*+", None),
        (r"a++", None),
        (r"\1", None),
        (r"\A", "re2"),
        (r"\n", "re2"),
        ("\t", "re2"),
        (r"[\w]", "re2"),
        (r"[a-\d]", None),
    ],
)
def test_pattern_engine(pattern: str, engine: str | None) -> None:
    """The native subset, else RE2, else None (a backtracking engine, opted into)."""
    assert linear_engine(pattern) == engine
