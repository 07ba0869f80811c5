"""Hypothesis strategies for GType: core schemas, values that match them, values that may not.

A ``Case`` is a core schema (plain dict, accepted by ``make_plan``) with two value strategies:
``valid`` draws values the schema accepts, ``mixed`` draws values built the same way in which
any part may have been replaced by noise (so errors appear at every depth, in every kind).

    from tests.gtype.strategies import cases, schema_and_value, schema_and_valid_value

Covers every kind and constraint, every format, plain and discriminated unions, intersections,
tuples with rest, records, refs (recursive definitions), extra policies, nullable nodes and
custom validators. The custom validators are module-level functions, so both backends can be
given the very same plan.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import keyword
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "FORMAT_EXAMPLES",
    "Case",
    "cases",
    "converting_schema_and_value",
    "json_canon",
    "noise",
    "schema_and_valid_value",
    "schema_and_value",
]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    ONE = 1


class Weird(str):
    """A str subclass: strings accept it, ``actual`` reports it as a plain str."""


class Bag(dict):  # type: ignore[type-arg]
    """A dict subclass: objects and records accept it."""


# Hostile values (docs/gtype.md §5, "Hostile values"): both backends must agree on them too.


class Liar(dict):  # type: ignore[type-arg]
    """A dict subclass whose every reading method lies: both backends read the real entries."""

    def get(self, key: Any, default: Any = None) -> Any:
        return "lie"

    def __getitem__(self, key: Any) -> Any:
        return "lie"

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(["lie"])

    def items(self) -> Any:
        return [("lie", "lie")]

    def keys(self) -> Any:
        return ["lie"]


class _Lies:
    """Reading methods that lie; mixed into list, tuple and frozenset subclasses, which both
    backends read as their base type (their real items)."""

    def __iter__(self) -> Any:
        return iter(["lie", "lie", "lie"])

    def __len__(self) -> int:
        return 7

    def __getitem__(self, index: Any) -> Any:
        return "lie"


class LiarList(_Lies, list):  # type: ignore[misc, type-arg]
    """A list subclass whose every reading method lies."""


class LiarTuple(_Lies, tuple):  # type: ignore[misc, type-arg]
    """A tuple subclass whose every reading method lies."""


class LiarSet(_Lies, frozenset):  # type: ignore[misc, type-arg]
    """A frozenset subclass whose every reading method lies."""


class Touchy(str):
    """A str subclass whose ``__eq__`` and ``__hash__`` raise: read as its base ``str``."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("Touchy.__eq__")

    def __hash__(self) -> int:
        raise RuntimeError("Touchy.__hash__")


class TouchyInt(int):
    """An int subclass whose ``__eq__`` and ``__hash__`` raise: read as its base ``int``."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("TouchyInt.__eq__")

    def __hash__(self) -> int:
        raise RuntimeError("TouchyInt.__hash__")


class Prickly:
    """Not JSON data, and its ``__eq__`` and ``__hash__`` raise: the exception propagates alike
    where a comparison is needed (``unique_items``), and no backend compares it elsewhere."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("Prickly.__eq__")

    def __hash__(self) -> int:
        raise RuntimeError("Prickly.__hash__")


NAN = float("nan")


# Valid and invalid examples per format, shared with the format unit tests.
FORMAT_EXAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "email": (
        ["a@b.co", "first.last+tag@example.org", "x_y!#$%&'*/=?^`{|}~-@a-b.c1.com"],
        [
            "",
            "a@b",
            "a@@b.co",
            ".a@b.co",
            "a.@b.co",
            "a..b@c.co",
            "a@b.12",
            "a b@c.co",
            "a@-b.co",
            "é@b.co",
            "a@b.co.",
            "x" * 65 + "@b.co",
        ],
    ),
    "hostname": (
        ["a", "example.com", "a-b.c-d.e", "x" * 63 + ".com", "123.com", "1.2.3.999"],
        [
            "",
            "-a.com",
            "a-.com",
            "a..b",
            "a.com.",
            "x" * 64 + ".com",
            "a_b.com",
            "ex ample.com",
            "é.com",
            ".".join(["abcdefghi"] * 26),
        ],
    ),
    "ipv4": (
        ["0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.10.100"],
        ["", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1.2.3.-4", "1.2.3.4 ", "١.2.3.4"],
    ),
    "ipv6": (
        [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7::",
            "ABCD:ef01::",
        ],
        [
            "",
            ":",
            ":::",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7",
            "[::1]",
            "::1%eth0",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3",
            "g::1",
            ":1::",
        ],
    ),
    "uuid": (
        ["12345678-1234-1234-1234-123456789abc", "ABCDEF01-2345-6789-abcd-ef0123456789"],
        [
            "",
            "12345678123412341234123456789abc",
            "12345678-1234-1234-1234-123456789ab",
            "g2345678-1234-1234-1234-123456789abc",
            "{12345678-1234-1234-1234-123456789abc}",
        ],
    ),
    "date": (
        ["2024-02-29", "0001-01-01", "9999-12-31", "2000-02-29"],
        [
            "",
            "2023-02-29",
            "1900-02-29",
            "0000-01-01",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "2024-01-32",
            "2024/01/01",
            "20240101",
        ],
    ),
    "time": (
        [
            "00:00:00",
            "23:59:60",
            "12:30:45.123456789",
            "01:02:03Z",
            "01:02:03+05:30",
            "01:02:03.5-23:59",
            "10:00:00z",
        ],
        [
            "",
            "24:00:00",
            "12:60:00",
            "12:00:61",
            "12:00",
            "12:00:00.",
            "12:00:00.1234567890",
            "12:00:00+24:00",
            "12:00:00+05:60",
            "12:00:00 Z",
            "1:00:00",
        ],
    ),
    "date-time": (
        ["2024-01-01T00:00:00Z", "2024-01-01t12:00:00.5+01:00", "2024-02-29 23:59:60-12:00"],
        [
            "",
            "2024-01-01T00:00:00",
            "2024-01-01",
            "2024-01-01X00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T25:00:00Z",
        ],
    ),
    "url": (
        [
            "http://example.com",
            "https://user:pw@example.com:8080/p/a?q=1#f",
            "ftp://1.2.3.4/",
            "x+y.z-w://[2001:db8::1]:65535",
            "http://a/ü",
            "http://@h",
            "s://h?x",
            "s://h#x",
        ],
        [
            "",
            "example.com",
            "http//x",
            "http://",
            "1http://x",
            "http://exa mple.com",
            "http://x:65536",
            "http://x:",
            "http://x:123456",
            "http://a@b@c",
            "http://[1::2",
            "http://[::g]",
            "http://x/\x7f",
            "http://-x.com",
            "http://x/\ud800",
        ],
    ),
}

PATTERNS = [
    r"^[0-9]{5}$",
    r"^[a-z]+(-[a-z]+)*$",
    r"ab|cd",
    r"^\d{2,4}$",
    r"x.y",
    r"(?i)^abc",
    r"\w+@\w+",
    r"^a*?b$",
]


def is_not_forty_two(value: Any) -> bool | str:
    """A custom validator answering with a message."""
    return "the value must not be 42" if value == 42 and not isinstance(value, bool) else True


def is_not_empty(value: Any) -> bool:
    """A custom validator that raises ValueError for empty containers and strings."""
    if isinstance(value, str | list | tuple | dict) and len(value) == 0:
        raise ValueError("empty values are not allowed")
    return True


def has_no_x(value: Any) -> bool:
    """A custom validator answering False for strings containing ``x``."""
    return not (isinstance(value, str) and "x" in value)


VALIDATORS: list[Callable[[Any], Any]] = [is_not_forty_two, is_not_empty, has_no_x]


def json_canon(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (``1 == 1.0``, ``True != 1``)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list | tuple):
        return ("l", tuple(json_canon(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((json_canon(k), json_canon(v)) for k, v in value.items()))
    return ("o", repr(value))


def _passes(validators: list[Callable[[Any], Any]], value: Any) -> bool:
    for f in validators:
        try:
            r = f(value)
        except (ValueError, AssertionError):
            return False
        if isinstance(r, str) or not r:
            return False
    return True


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 42, 2**63, 2**64, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.text(max_size=90),
    st.sampled_from(["", "x", "12345", "a@b.co", Weird("weird"), "\ud800"]),
    st.sampled_from([Color.RED, Color.ONE]),
    st.just(NAN),
)

noise: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.dictionaries(st.integers(0, 3), inner, min_size=1, max_size=2),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(Bag),
        st.just([NAN, NAN]),
    ),
    max_leaves=8,
)


# Hostile values (Liar dicts, lists, tuples and sets, Touchy scalars, Prickly objects, one NaN
# twice) for the differential suite only: Hypothesis itself hashes and compares what other
# strategies draw.
hostile: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        _scalars,
        st.builds(Touchy, st.sampled_from(["a", "RED", "x", "b"])),
        st.builds(TouchyInt, st.sampled_from([1, 42, 0])),
        st.builds(Prickly),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "c", "id", "name", "lie"]), inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "id", "name", "lie"]), inner, max_size=4
        ).map(Liar),
        st.lists(inner, max_size=4).map(LiarList),
        st.lists(inner, max_size=4).map(LiarTuple),
        st.lists(st.sampled_from([1, 2, "a", None, 2.5]), max_size=4).map(LiarSet),
        st.tuples(inner).map(lambda t: [t[0], t[0]]),
    ),
    max_leaves=8,
)


@dataclass(frozen=True)
class Case:
    """A core schema with a strategy of values it accepts and one of values that may fail."""

    core: dict[str, Any]
    valid: st.SearchStrategy[Any]
    mixed: st.SearchStrategy[Any]


def _with_noise(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(valid, valid, noise)


def _finish(draw: Any, case: Case, allow_nullable: bool = True) -> Case:
    """Maybe make the node nullable and give it custom validators."""
    core, valid, mixed = dict(case.core), case.valid, case.mixed
    if allow_nullable and draw(st.integers(0, 5)) == 0:
        core["nullable"] = True
        valid = st.one_of(st.none(), valid)
    # A named (recursive) node's validators apply at every level of recursion, which the
    # top-level filter below cannot see: only unnamed nodes get validators.
    if "name" not in core and draw(st.integers(0, 7)) == 0:
        chosen = draw(st.lists(st.sampled_from(VALIDATORS), min_size=1, max_size=2, unique=True))
        core["validators"] = chosen
        nullable = core.get("nullable", False)
        valid = valid.filter(lambda v: (v is None and nullable) or _passes(chosen, v))
    return Case(core, valid, st.one_of(mixed, valid))


@st.composite
def _string(draw: Any) -> Case:
    variant = draw(st.sampled_from(["plain", "lengths", "pattern", "format"]))
    core: dict[str, Any] = {"type": "string"}
    valid: st.SearchStrategy[Any]
    if variant == "lengths":
        lo = draw(st.none() | st.integers(0, 4))
        hi = draw(st.none() | st.integers(lo or 0, 8))
        core.update({k: v for k, v in (("min_length", lo), ("max_length", hi)) if v is not None})
        valid = st.text(min_size=lo or 0, max_size=hi if hi is not None else 10)
    elif variant == "pattern":
        core["pattern"] = draw(st.sampled_from(PATTERNS))
        valid = st.from_regex(core["pattern"]).filter(lambda s: len(s) < 40)
    elif variant == "format":
        core["format"] = draw(st.sampled_from(sorted(FORMAT_EXAMPLES)))
        good, bad = FORMAT_EXAMPLES[core["format"]]
        valid = st.sampled_from(good)
        return Case(core, valid, st.one_of(valid, st.sampled_from(bad), noise))
    else:
        valid = st.text(max_size=10) | st.just(Weird("sub"))
    return Case(core, valid, _with_noise(valid))


@st.composite
def _number(draw: Any) -> Case:
    kind = draw(st.sampled_from(["number", "integer"]))
    core: dict[str, Any] = {"type": kind}
    variant = draw(st.sampled_from(["plain", "inclusive", "exclusive", "multiple"]))
    lo = draw(st.integers(-50, 50))
    hi = lo + draw(st.integers(2, 100))
    valid: st.SearchStrategy[Any]
    if variant == "inclusive":
        core["min"] = draw(st.sampled_from([lo, float(lo)]))
        core["max"] = hi
        valid = st.integers(lo, hi)
        if kind == "number":
            valid |= st.floats(lo, hi)
    elif variant == "exclusive":
        core["exclusive_min"], core["exclusive_max"] = lo, hi + 0.5
        valid = st.integers(lo + 1, hi)
        if kind == "number":
            valid |= st.floats(lo, hi, exclude_min=True)
    elif variant == "multiple":
        m = draw(st.sampled_from([1, 2, 3, 7, 0.5, 0.25]))
        core["multiple_of"] = m
        valid = st.integers(-1000, 1000).map(lambda k: k * m)
        if kind == "integer":
            valid = valid.map(lambda x: int(x) if isinstance(x, float) else x).filter(
                lambda x: (x % m == 0) if isinstance(m, int) else (x / m).is_integer()
            )
    else:
        valid = st.integers() | (
            st.floats(allow_nan=False, allow_infinity=False) if kind == "number" else st.nothing()
        )
    return Case(core, valid, _with_noise(valid))


@st.composite
def _simple(draw: Any) -> Case:
    kind = draw(st.sampled_from(["boolean", "null", "any", "literal", "enum", "enum_class"]))
    if kind == "boolean":
        return Case({"type": "boolean"}, st.booleans(), _with_noise(st.booleans()))
    if kind == "null":
        return Case({"type": "null"}, st.none(), _with_noise(st.none()))
    if kind == "any":
        return Case({"type": "any"}, noise, noise)
    if kind == "enum_class":
        core = {"type": "enum", "values": [m.value for m in Color], "enum_class": Color}
        valid = st.sampled_from([*Color, *(m.value for m in Color)])
        return Case(core, valid, st.one_of(valid, noise, st.sampled_from([1.0, True, "RED"])))
    pool = [1, "a", "b", True, False, None, 0, 2, "admin"] + ([1.5] if kind == "enum" else [])
    values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique_by=json_canon))
    valid = st.sampled_from(values)
    tricky = st.sampled_from([1.0, 0.0, True, False, 1, 0, "1", Weird("a")])
    return Case({"type": kind, "values": values}, valid, st.one_of(valid, tricky, noise))


def _leaf() -> st.SearchStrategy[Case]:
    return st.one_of(_string(), _number(), _simple())


_NAMES = st.sampled_from(["a", "b", "c", "id", "name", "tags", "x-y", "é"])


@st.composite
def _object(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    names = draw(st.lists(_NAMES, max_size=4, unique=True))
    props = {n: draw(child) for n in names}
    required = [n for n in names if draw(st.booleans())]
    extra_kind = draw(st.sampled_from(["ignore", "forbid", "schema"]))
    core: dict[str, Any] = {
        "type": "object",
        "properties": {n: c.core for n, c in props.items()},
        "required": required,
    }
    extra_case = draw(_leaf()) if extra_kind == "schema" else None
    if extra_kind != "ignore":
        core["extra"] = extra_case.core if extra_case is not None else "forbid"
    extra_names = st.sampled_from(["z", "zz", "extra"])

    @st.composite
    def build(d2: Any, pick: Callable[[Case], st.SearchStrategy[Any]], loose: bool) -> Any:
        out: dict[Any, Any] = {}
        for n, c in props.items():
            keep = n in required and not (loose and d2(st.integers(0, 9)) == 0)
            if keep or (n not in required and d2(st.booleans())):
                out[n] = d2(pick(c))
        if extra_kind == "ignore" or loose:
            for k in d2(st.lists(extra_names, max_size=2, unique=True)):
                out[k] = d2(noise if extra_case is None else pick(extra_case))
        elif extra_case is not None:
            for k in d2(st.lists(extra_names, max_size=2, unique=True)):
                out[k] = d2(extra_case.valid)
        if loose and d2(st.integers(0, 9)) == 0:
            out[7] = "non-str key"
        return Bag(out) if d2(st.integers(0, 9)) == 0 else out

    mixed = st.one_of(build(lambda c: c.mixed, True), noise)
    return Case(core, build(lambda c: c.valid, False), mixed)


@st.composite
def _array(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    item = draw(child)
    unique = draw(st.booleans())
    lo = draw(st.none() | st.integers(0, 1 if unique else 2))  # an item kind may have one value
    hi = draw(st.none() | st.integers(lo or 0, 4))
    core: dict[str, Any] = {"type": "array", "items": item.core}
    core.update({k: v for k, v in (("min_items", lo), ("max_items", hi)) if v is not None})
    if unique:
        core["unique_items"] = True
    size = {"min_size": lo or 0, "max_size": hi if hi is not None else 4}
    valid = st.lists(item.valid, unique_by=json_canon if unique else None, **size)
    valid = valid | valid.map(tuple)
    mixed = st.lists(item.mixed, max_size=6) | st.lists(item.valid, max_size=6)
    return Case(core, valid, _with_noise(mixed | mixed.map(tuple)))


@st.composite
def _tuple(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    items = draw(st.lists(child, max_size=3))
    rest = draw(st.none() | child)
    core: dict[str, Any] = {"type": "tuple", "items": [c.core for c in items]}
    if rest is not None:
        core["rest"] = rest.core

    def build(pick: Callable[[Case], st.SearchStrategy[Any]], extra: int) -> Any:
        head = st.tuples(*(pick(c) for c in items))
        tail = st.lists(pick(rest), max_size=3) if rest is not None else st.just([])
        if extra:
            tail = st.lists(noise, max_size=extra)
        return st.builds(lambda h, t: [*h, *t], head, tail)

    valid = build(lambda c: c.valid, 0)
    mixed = build(lambda c: c.mixed, 0) | build(lambda c: c.valid, 2)
    return Case(core, valid | valid.map(tuple), _with_noise(mixed))


@st.composite
def _record(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    values = draw(child)
    core = {"type": "record", "values": values.core}
    keys = st.text(max_size=4)
    valid = st.dictionaries(keys, values.valid, max_size=3)
    mixed = st.dictionaries(keys | st.integers(0, 2), values.mixed, max_size=3)
    return Case(core, valid, _with_noise(mixed))


@st.composite
def _union(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    members = draw(st.lists(child, min_size=1, max_size=3))
    core = {"type": "union", "members": [m.core for m in members]}
    valid = st.one_of(*(m.valid for m in members))
    return Case(core, valid, _with_noise(st.one_of(*(m.mixed for m in members))))


@st.composite
def _tagged(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    tags = draw(
        st.lists(st.sampled_from(["cat", "dog", "fish", 3]), min_size=1, max_size=3, unique=True)
    )
    members = []
    for tag in tags:
        body = draw(_object(child))
        core = dict(body.core)
        core["properties"] = {"kind": {"type": "literal", "values": [tag]}, **core["properties"]}
        core["required"] = ["kind", *core["required"]]
        core.pop("extra", None)

        def add_tag(v: Any, tag: Any = tag) -> Any:
            return {**v, "kind": tag} if isinstance(v, dict) else v

        members.append(Case(core, body.valid.map(add_tag), body.mixed.map(add_tag)))
    core = {"type": "union", "members": [m.core for m in members], "discriminator": "kind"}
    valid = st.one_of(*(m.valid for m in members))
    bad_tags = st.fixed_dictionaries({"kind": st.sampled_from(["cow", 3.0, True, None])})
    mixed = st.one_of(*(m.mixed for m in members), bad_tags, st.just({}), noise)
    return Case(core, valid, st.one_of(mixed, valid))


@st.composite
def _intersection(draw: Any, child: st.SearchStrategy[Case]) -> Case:
    left, right = draw(_object(child)), draw(_object(child))
    lcore, rcore = dict(left.core), dict(right.core)
    lcore.pop("extra", None)
    rcore.pop("extra", None)
    rcore["properties"] = {f"r{k}": v for k, v in rcore["properties"].items()}
    rcore["required"] = [f"r{k}" for k in rcore["required"]]

    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            return {
                **{k: v for k, v in a.items() if k not in ("z", "zz", "extra")},
                **{f"r{k}": v for k, v in b.items() if k not in ("z", "zz", "extra")},
            }
        return a

    core = {"type": "intersection", "members": [lcore, rcore]}
    valid = st.builds(merge, left.valid, right.valid)
    return Case(core, valid, _with_noise(st.builds(merge, left.mixed, right.mixed)))


@st.composite
def _recursive(draw: Any) -> Case:
    """A named, self-referencing definition: a linked list or a tree of leaves."""
    leaf = draw(_leaf())
    name = draw(st.sampled_from(["Node", "Tree"]))
    if name == "Node":
        core = {
            "type": "object",
            "name": "Node",
            "properties": {
                "value": leaf.core,
                "next": {"type": "ref", "name": "Node", "nullable": True},
            },
            "required": ["value", "next"],
        }
        valid: st.SearchStrategy[Any] = st.deferred(
            lambda: st.fixed_dictionaries({"value": leaf.valid, "next": st.none() | valid})
        )
        mixed: st.SearchStrategy[Any] = st.deferred(
            lambda: st.fixed_dictionaries({"value": leaf.mixed, "next": st.none() | mixed}) | noise
        )
        return Case(core, valid, mixed)
    core = {
        "type": "union",
        "name": "Tree",
        "members": [leaf.core, {"type": "array", "items": {"type": "ref", "name": "Tree"}}],
    }
    tree_valid: st.SearchStrategy[Any] = st.deferred(
        lambda: leaf.valid | st.lists(tree_valid, max_size=3)
    )
    tree_mixed: st.SearchStrategy[Any] = st.deferred(
        lambda: leaf.mixed | st.lists(tree_mixed, max_size=3)
    )
    return Case(core, tree_valid, tree_mixed)


def _extend(child: st.SearchStrategy[Case]) -> st.SearchStrategy[Case]:
    return st.one_of(
        _object(child),
        _array(child),
        _tuple(child),
        _record(child),
        _union(child),
        _tagged(child),
        _intersection(child),
    )


@st.composite
def _finished(draw: Any, base: st.SearchStrategy[Case]) -> Case:
    return _finish(draw, draw(base))


def _unique_names(case: Case) -> Case:
    """Give every definition a distinct name (and its refs with it)."""
    count = itertools.count()

    def walk(node: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
        node = dict(node)
        kind = node["type"]
        if kind == "ref":
            node["name"] = env.get(node["name"], node["name"])
            return node
        if "name" in node:
            env = {**env, node["name"]: f"{node['name']}{next(count)}"}
            node["name"] = env[node["name"]]
        if kind == "object":
            node["properties"] = {k: walk(v, env) for k, v in node["properties"].items()}
            if isinstance(node.get("extra"), dict):
                node["extra"] = walk(node["extra"], env)
        elif kind == "array":
            node["items"] = walk(node["items"], env)
        elif kind == "tuple":
            node["items"] = [walk(v, env) for v in node["items"]]
            if "rest" in node:
                node["rest"] = walk(node["rest"], env)
        elif kind == "record":
            node["values"] = walk(node["values"], env)
        elif kind in ("union", "intersection"):
            node["members"] = [walk(v, env) for v in node["members"]]
        return node

    return Case(walk(case.core, {}), case.valid, case.mixed)


def cases(max_leaves: int = 6) -> st.SearchStrategy[Case]:
    """Cases over every kind, nested up to ``max_leaves`` leaves (plus recursive definitions)."""
    leaves = _finished(st.one_of(_leaf(), _leaf(), _recursive()))
    tree = st.recursive(leaves, lambda child: _finished(_extend(child)), max_leaves=max_leaves)
    return tree.map(_unique_names)


@st.composite
def schema_and_value(draw: Any, max_leaves: int = 6) -> tuple[dict[str, Any], Any]:
    """A core schema and a value that may or may not match it."""
    case = draw(cases(max_leaves))
    return case.core, draw(case.mixed)


@st.composite
def schema_and_valid_value(draw: Any, max_leaves: int = 6) -> tuple[dict[str, Any], Any]:
    """A core schema and a value it accepts."""
    case = draw(cases(max_leaves))
    return case.core, draw(case.valid)


# ---- conversions (Validator.convert / dump) ------------------------------------------------
# Module-level converters, so both backends get the very same plan.


def made_object(**fields: Any) -> tuple[str, dict[str, Any]]:
    return ("object", fields)


def made_items(items: list[Any]) -> tuple[str, list[Any]]:
    return ("items", items)


def made_record(values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("record", dict(values))


def picky(text: str) -> tuple[str, str]:
    """Refuses strings holding an ``x`` (a conversion failure), tags the others."""
    if "x" in text:
        raise ValueError(f"no x please: {text!r}")
    return ("text", text)


_NAMED = {"uuid": "uuid", "date-time": "datetime", "date": "date", "time": "time"}
_DEFAULTS = [0, "d", None, [], {"k": [1]}]


def _converting(draw: Any, node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with ``convert`` keys and property ``default``s sprinkled over it."""
    node = dict(node)
    kind = node["type"]
    if kind == "object":
        node["properties"] = {k: _converting(draw, v) for k, v in node["properties"].items()}
        for name, prop in node["properties"].items():
            if name not in node.get("required", []) and draw(st.booleans()):
                prop["default"] = draw(st.sampled_from(_DEFAULTS))
        if isinstance(node.get("extra"), dict):
            node["extra"] = _converting(draw, node["extra"])
    elif kind == "array":
        node["items"] = _converting(draw, node["items"])
    elif kind == "tuple":
        node["items"] = [_converting(draw, v) for v in node["items"]]
        if "rest" in node:
            node["rest"] = _converting(draw, node["rest"])
    elif kind == "record":
        node["values"] = _converting(draw, node["values"])
    elif kind in ("union", "intersection"):
        node["members"] = [_converting(draw, v) for v in node["members"]]
    if kind in ("union", "intersection", "ref") or not draw(st.booleans()):
        return node
    if kind == "string":
        node["convert"] = _NAMED.get(node.get("format", ""), picky)
    elif kind in ("number", "integer"):
        node["convert"] = "decimal"
    elif kind == "object":
        node["convert"] = _dataclass_for(node) if draw(st.booleans()) else made_object
    elif kind in ("array", "tuple"):
        node["convert"] = draw(st.sampled_from([made_items, tuple]))
    elif kind == "record":
        node["convert"] = made_record
    return node


def _dataclass_for(node: dict[str, Any]) -> Any:
    """A dataclass with the object's properties as fields (``made_object`` if names forbid it).

    Optional properties get a scalar default on both sides, so the planner may let the
    backends skip ``__init__`` (``instance_dict``) when the object ignores extra keys.
    """
    names = list(node["properties"])
    if not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return made_object
    required = set(node.get("required", []))
    fields: list[Any] = []
    for name in sorted(names, key=lambda n: n not in required):  # defaults come last
        if name in required:
            fields.append(name)
        else:
            node["properties"][name]["default"] = 0
            fields.append((name, Any, dataclasses.field(default=0)))
    return dataclasses.make_dataclass("Made", fields, eq=True)


@st.composite
def converting_schema_and_value(draw: Any, max_leaves: int = 6) -> tuple[dict[str, Any], Any]:
    """A core schema with conversions and defaults, and a value that may or may not match."""
    case = draw(cases(max_leaves))
    value = draw(st.one_of(case.valid, case.mixed))
    return _converting(draw, case.core), value
