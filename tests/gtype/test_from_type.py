"""gt.from_type: Python annotations → GType, and Property 9 on generated annotations.

Property 9 judges "inhabits" on JSON data, since validation never constructs objects: a dict
inhabits a TypedDict or dataclass when it has the fields, a list inhabits ``tuple[int, str]``
when its items do, and an Enum is inhabited by its members and their values. The oracle is
the small reference checker `inhabits` below, written from the annotation alone. pydantic's
strict `TypeAdapter` is not used as the oracle: in strict mode it refuses dicts for dataclasses
and lists for tuples, which is where gati's JSON-data reading differs from object construction.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping, Sequence
from typing import (
    Annotated,
    Any,
    ForwardRef,
    Literal,
    NewType,
    NotRequired,
    Optional,
    Required,
    TypedDict,
    Union,
    get_args,
    get_origin,
)

import annotated_types as at
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import SchemaError, gt


def core(tp: Any, **kw: Any) -> Any:
    return gt.from_type(tp, **kw).core()


def same(tp: Any, schema: Any) -> None:
    assert core(tp) == schema.core()


def accepts(tp: Any, value: Any) -> bool:
    return bool(gt.validate(gt.from_type(tp), value).valid)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Movie(TypedDict):
    title: str
    year: NotRequired[int]


class Partial(TypedDict, total=False):
    id: Required[int]
    note: str


class Node(TypedDict):
    value: int
    children: list[Node]
    parent: NotRequired[Node | None]


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0
    tags: list[str] = dataclasses.field(default_factory=list)
    hidden: int = dataclasses.field(default=0, init=False)


@dataclasses.dataclass
class Pair:
    left: Point
    right: Optional[Point]  # noqa: UP045 - the typing spelling is under test


@dataclasses.dataclass
class Chain:
    next: Chain | None
    label: Annotated[str, at.MinLen(1)]


UserId = NewType("UserId", int)


# --- each supported annotation ------------------------------------------------------------


def test_builtins() -> None:
    same(str, gt.string())
    same(int, gt.integer())
    same(float, gt.number())
    same(bool, gt.boolean())
    same(None, gt.null())
    same(type(None), gt.null())
    same(Any, gt.any())
    same(object, gt.any())
    same(UserId, gt.integer())


@pytest.mark.parametrize("tp", [bytearray, memoryview])
def test_bytearray_and_memoryview_are_refused(tp: Any) -> None:
    with pytest.raises(SchemaError, match="not JSON"):
        gt.from_type(tp)


def test_literal_and_enum() -> None:
    same(Literal["a", 1, True, None], gt.literal("a", 1, True, None))
    same(Color, gt.enum(Color))
    assert core(Level)["values"] == [1, 2]
    assert accepts(Color, "red") and accepts(Color, Color.BLUE) and not accepts(Color, "RED")
    assert accepts(Level, 2) and not accepts(Level, 3) and not accepts(Level, True)
    with pytest.raises(SchemaError, match="literal values"):
        gt.from_type(Literal[Color.RED])


def test_optional_and_unions() -> None:
    same(Optional[str], gt.string(nullable=True))  # noqa: UP045
    same(str | None, gt.string(nullable=True))
    same(Union[int, str], gt.union(gt.integer(), gt.string()))  # noqa: UP007
    same(int | str | None, gt.union(gt.integer(), gt.string(), nullable=True))
    assert accepts(int | None, None) and not accepts(int, None)


def test_sequences_sets_tuples_mappings() -> None:
    same(list[int], gt.array(gt.integer()))
    same(Sequence[str], gt.array(gt.string()))
    same(list, gt.array(gt.any()))
    same(set[str], gt.array(gt.string(), unique_items=True, convert=set))
    same(frozenset[int], gt.array(gt.integer(), unique_items=True, convert=frozenset))
    same(tuple[int, str], gt.tuple([gt.integer(), gt.string()], convert=tuple))
    same(tuple[()], gt.tuple([], convert=tuple))
    same(tuple[int, ...], gt.array(gt.integer(), convert=tuple))
    same(tuple, gt.array(gt.any(), convert=tuple))
    same(dict[str, float], gt.record(gt.number()))
    same(Mapping[str, Any], gt.record(gt.any()))
    same(dict, gt.record(gt.any()))
    assert accepts(set[int], [1, 2]) and not accepts(set[int], [1, 1])
    assert accepts(tuple[int, str], [1, "a"]) and not accepts(tuple[int, str], [1])
    with pytest.raises(SchemaError, match="keys are strings"):
        gt.from_type(dict[int, str])


def test_typed_dicts() -> None:
    same(Movie, gt.object({"title": gt.string(), "year": gt.optional(gt.integer())}))
    same(Partial, gt.object({"id": gt.integer(), "note": gt.optional(gt.string())}))
    assert accepts(Movie, {"title": "x", "extra": 1}) and not accepts(Movie, {"year": 1})
    with pytest.raises(SchemaError, match="TypedDict key"):
        gt.from_type(list[Required[int]])


def test_typing_extensions_typed_dicts() -> None:
    import typing_extensions

    class Legacy(typing_extensions.TypedDict):
        a: int
        b: NotRequired[str]

    same(Legacy, gt.object({"a": gt.integer(), "b": gt.optional(gt.string())}))


def test_dataclasses_validate_dicts_with_their_fields() -> None:
    got = core(Point)
    assert got["required"] == ["x"]
    assert list(got["properties"]) == ["x", "y", "tags"]  # init=False fields are not input
    assert got["properties"]["y"]["default"] == 0.0
    assert accepts(Point, {"x": 1}) and accepts(Point, {"x": 1.5, "tags": ["a"]})
    assert not accepts(Point, Point(1.0)) and not accepts(Point, {"y": 1})


def test_a_class_used_twice_is_named_once() -> None:
    got = core(Pair)
    left, right = got["properties"]["left"], got["properties"]["right"]
    assert left["name"] == "Point" and left["type"] == "object"
    assert right == {"type": "ref", "name": "Point", "nullable": True}
    assert accepts(Pair, {"left": {"x": 1}, "right": None})
    assert not accepts(Pair, {"left": {"x": 1}, "right": {"y": 1}})


def test_recursive_types() -> None:
    got = core(Node)
    assert got["name"] == "Node"
    assert got["properties"]["children"]["items"] == {"type": "ref", "name": "Node"}
    tree = {"value": 1, "children": [{"value": 2, "children": [], "parent": None}]}
    assert accepts(Node, tree)
    assert not accepts(Node, {"value": 1, "children": [{"value": "2", "children": []}]})
    assert accepts(Chain, {"next": {"next": None, "label": "b"}, "label": "a"})
    assert not accepts(Chain, {"next": {"next": None, "label": ""}, "label": "a"})
    # first use nullable, later uses not: the definition must not carry the nullable
    got = core(tuple[Node | None, Node])
    assert not accepts(tuple[Node | None, Node], [None, None])
    assert got["items"][0]["type"] == "intersection" and got["items"][0]["nullable"] is True
    assert accepts(tuple[Node | None, Node], [None, {"value": 1, "children": []}])


def test_forward_references() -> None:
    assert core("list[Color]", globalns=globals()) == gt.array(gt.enum(Color)).core()
    assert core(Optional["Point"], globalns={"Point": Point})["nullable"] is True
    with pytest.raises(SchemaError, match="Missing"):
        gt.from_type(ForwardRef("Missing"))

    class Local(TypedDict):
        me: NotRequired[Local]

    assert core(Local)["name"] == "Local"


def test_annotated_types_constraints() -> None:
    same(Annotated[int, at.Ge(0), at.Lt(10)], gt.integer(min=0, exclusive_max=10))
    same(
        Annotated[float, at.Gt(0), at.Le(1), at.MultipleOf(0.25)],
        gt.number(exclusive_min=0, max=1, multiple_of=0.25),
    )
    same(Annotated[float, at.Interval(gt=0, le=1)], gt.number(exclusive_min=0, max=1))
    same(Annotated[str, at.MinLen(1), at.MaxLen(5)], gt.string(min_length=1, max_length=5))
    same(Annotated[str, at.Len(2, 3)], gt.string(min_length=2, max_length=3))
    same(Annotated[list[int], at.Len(1, 4)], gt.array(gt.integer(), min_items=1, max_items=4))
    # a bound given twice keeps the tighter one; two integer multiples combine
    same(Annotated[int, at.Ge(0), at.Ge(3), at.Le(9), at.Le(5)], gt.integer(min=3, max=5))
    same(Annotated[int, at.MultipleOf(2), at.MultipleOf(3)], gt.integer(multiple_of=6))
    assert core(Annotated[int, at.doc("an age")])["description"] == "an age"
    assert core(Annotated[int, "not ours"]) == gt.integer().core()


def test_predicate_becomes_a_custom_validator() -> None:
    even = Annotated[int, at.Predicate(lambda v: v % 2 == 0)]
    assert accepts(even, 2) and not accepts(even, 3)


@pytest.mark.parametrize(
    "tp",
    [
        Annotated[str, at.Ge(1)],
        Annotated[dict[str, int], at.MinLen(1)],
        Annotated[int, at.Timezone(None)],
        Annotated[float, at.MultipleOf(0.5), at.MultipleOf(0.3)],
    ],
)
def test_constraints_that_do_not_apply_are_refused(tp: Any) -> None:
    with pytest.raises(SchemaError, match="Annotated"):
        gt.from_type(tp)


def test_gati_markers_refine_or_replace() -> None:
    same(Annotated[str, gt.string(format="email")], gt.string(format="email"))
    same(
        Annotated[str, at.MaxLen(9), gt.string(pattern="^a")], gt.string(max_length=9, pattern="^a")
    )
    same(Annotated[int, gt.number(min=1)], gt.number(min=1))  # another kind replaces
    same(Annotated[Point, gt.any()], gt.any())
    strict = gt.object({"x": gt.number()}, extra="forbid")
    same(Annotated[Point, strict], strict)
    with pytest.raises(SchemaError, match="forward reference"):
        gt.from_type("list[", globalns={})


@pytest.mark.parametrize("tp", [complex, list[int] | complex, Sequence[bytearray], type])
def test_unsupported_annotations_name_themselves(tp: Any) -> None:
    with pytest.raises(SchemaError) as info:
        gt.from_type(tp)
    assert str(info.value)


# --- Property 9: generated annotations accept exactly their inhabitants -------------------

_json_kinds = (str, int, float, bool, type(None))


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    return "number" if isinstance(v, int | float) else type(v).__name__


def _json_eq(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_json_eq, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_eq(a[k], b[k]) for k in a)
    return _kind(a) == _kind(b) and a == b


def inhabits(v: Any, tp: Any) -> bool:
    """The reference checker: does the JSON value ``v`` inhabit the annotation ``tp``?"""
    if tp is Any:
        return True
    if tp is None or tp is type(None):
        return v is None
    if tp is str:
        return isinstance(v, str)
    if tp is bool:
        return isinstance(v, bool)
    if tp is int:
        return isinstance(v, int) and not isinstance(v, bool)
    if tp is float:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return isinstance(v, tp) or any(_json_eq(v, m.value) for m in tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        fields = [
            (f.name, f.type, f.default is dataclasses.MISSING) for f in dataclasses.fields(tp)
        ]
        return isinstance(v, dict) and all(
            (name in v and inhabits(v[name], t)) or (name not in v and not req)
            for name, t, req in fields
        )
    if isinstance(tp, type) and hasattr(tp, "__required_keys__"):
        hints = tp.__annotations__
        return isinstance(v, dict) and all(
            (k in v and inhabits(v[k], _strip(t))) or (k not in v and k not in tp.__required_keys__)
            for k, t in hints.items()
        )
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return any(_json_eq(v, a) for a in args)
    if origin is Union:
        return any(inhabits(v, a) for a in args)
    if origin is Annotated:
        return inhabits(v, args[0]) and all(_meets(v, m) for m in args[1:])
    if origin is list:
        return isinstance(v, list) and all(inhabits(x, args[0]) for x in v)
    if origin is set:
        if not isinstance(v, list) or not all(inhabits(x, args[0]) for x in v):
            return False
        return all(not _json_eq(a, b) for i, a in enumerate(v) for b in v[:i])
    if origin is tuple and args[-1:] == (Ellipsis,):
        return isinstance(v, list) and all(inhabits(x, args[0]) for x in v)
    if origin is tuple:
        return isinstance(v, list) and len(v) == len(args) and all(map(inhabits, v, args))
    if origin is dict:
        return isinstance(v, dict) and all(inhabits(x, args[1]) for x in v.values())
    raise AssertionError(tp)


def _strip(tp: Any) -> Any:
    return get_args(tp)[0] if get_origin(tp) in (Required, NotRequired) else tp


def _meets(v: Any, m: Any) -> bool:
    if isinstance(m, at.Ge):
        return bool(v >= m.ge)
    if isinstance(m, at.Lt):
        return bool(v < m.lt)
    if isinstance(m, at.MaxLen):
        return len(v) <= m.max_length
    raise AssertionError(m)


_scalars = st.sampled_from([str, int, float, bool, None, Any, Color, Level])
_leaves = st.one_of(
    _scalars,
    st.lists(st.sampled_from(["a", "b", 0, 1, True, None]), min_size=1, max_size=3).map(
        lambda vs: Literal[tuple(vs)]
    ),
    st.integers(-3, 3).map(lambda n: Annotated[int, at.Ge(n)]),
    st.integers(0, 3).map(lambda n: Annotated[str, at.MaxLen(n)]),
    st.floats(-2, 2).map(lambda x: Annotated[float, at.Lt(x)]),
)
_field_names = st.lists(st.sampled_from("abcd"), unique=True, max_size=3)
_counter = iter(range(10**9))


def _typed_dict(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def make(names: list[str], types: list[Any], total: bool, flags: list[int]) -> Any:
        fields = {}
        for name, tp, flag in zip(names, types, flags, strict=False):
            fields[name] = Required[tp] if flag == 1 else NotRequired[tp] if flag == 2 else tp
        return TypedDict(f"TD{next(_counter)}", fields, total=total)  # type: ignore[operator]

    return _field_names.flatmap(
        lambda names: st.builds(
            make,
            st.just(names),
            st.lists(kids, min_size=len(names), max_size=len(names)),
            st.booleans(),
            st.lists(st.integers(0, 2), min_size=len(names), max_size=len(names)),
        )
    )


def _dataclass(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def make(names: list[str], types: list[Any], n_required: int) -> Any:
        specs: list[Any] = []
        for i, (name, tp) in enumerate(zip(names, types, strict=False)):
            default = dataclasses.field(default=None) if i >= n_required else dataclasses.MISSING
            specs.append((name, tp) if default is dataclasses.MISSING else (name, tp, default))
        return dataclasses.make_dataclass(f"DC{next(_counter)}", specs)

    return _field_names.flatmap(
        lambda names: st.builds(
            make,
            st.just(names),
            st.lists(kids, min_size=len(names), max_size=len(names)),
            st.integers(0, len(names)),
        )
    )


annotations = st.recursive(
    _leaves,
    lambda kids: st.one_of(
        kids.map(lambda t: list[t]),  # type: ignore[valid-type]
        kids.map(lambda t: tuple[t, ...]),  # type: ignore[valid-type]
        st.lists(kids, max_size=3).map(lambda ts: tuple[tuple(ts)] if ts else tuple[()]),
        kids.map(lambda t: dict[str, t]),  # type: ignore[valid-type]
        st.sampled_from([str, int]).map(lambda t: set[t]),  # type: ignore[valid-type]
        kids.map(lambda t: Optional[t]),  # noqa: UP045
        st.tuples(kids, kids).map(lambda ab: Union[ab]),  # noqa: UP007
        _typed_dict(kids),
        _dataclass(kids),
    ),
    max_leaves=6,
)
# classes get their own share: inside `annotations` they are one branch among many
annotations_with_classes = annotations | _typed_dict(annotations) | _dataclass(annotations)

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-3, 3),
    st.sampled_from(["", "a", "b", "red", "blue", "abcd"]),
)
json_values = st.recursive(
    _json_leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.dictionaries(st.sampled_from("abcde"), kids, max_size=4)
    ),
    max_leaves=8,
)


def inhabitants(tp: Any) -> st.SearchStrategy[Any]:
    """Values built to inhabit ``tp`` (checked against `inhabits`, which is the oracle)."""
    if tp is Any:
        return json_values
    if tp is None or tp is type(None):
        return st.none()
    if tp is str:
        return st.text(max_size=4)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**70), 2**70)
    if tp is float:
        return st.integers(-9, 9) | st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp)) | st.sampled_from([m.value for m in tp])
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        fs = dataclasses.fields(tp)
        required = {f.name: inhabitants(f.type) for f in fs if f.default is dataclasses.MISSING}
        optional = {f.name: inhabitants(f.type) for f in fs if f.default is not dataclasses.MISSING}
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(tp, type) and hasattr(tp, "__required_keys__"):
        hints = {k: _strip(t) for k, t in tp.__annotations__.items()}
        req = {k: inhabitants(t) for k, t in hints.items() if k in tp.__required_keys__}
        opt = {k: inhabitants(t) for k, t in hints.items() if k not in tp.__required_keys__}
        return st.fixed_dictionaries(req, optional=opt)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return st.sampled_from(args)
    if origin is Union:
        return st.one_of([inhabitants(a) for a in args])
    if origin is Annotated and isinstance(args[1], at.MaxLen):
        return st.text(max_size=args[1].max_length)
    if origin is Annotated:
        return inhabitants(args[0]).filter(lambda v: all(_meets(v, m) for m in args[1:]))
    if origin is list or (origin is tuple and args[-1:] == (Ellipsis,)):
        return st.lists(inhabitants(args[0]), max_size=3)
    if origin is set:
        return st.lists(inhabitants(args[0]), max_size=3, unique_by=lambda v: (_kind(v), v))
    if origin is tuple:
        return st.tuples(*[inhabitants(a) for a in args]).map(list)
    if origin is dict:
        return st.dictionaries(st.text(max_size=3), inhabitants(args[1]), max_size=3)
    raise AssertionError(tp)


@st.composite
def mutants(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one random edit somewhere inside: a key or item dropped, replaced, added."""
    if isinstance(value, dict | list) and value and draw(st.booleans()):
        keys = list(value) if isinstance(value, dict) else list(range(len(value)))
        key = draw(st.sampled_from(keys))
        out = dict(value) if isinstance(value, dict) else list(value)
        how = draw(st.sampled_from(["drop", "replace", "descend"]))
        if how == "drop":
            del out[key]
        else:
            out[key] = draw(json_values if how == "replace" else mutants(value[key]))
        return out
    if isinstance(value, list):
        return [*value, draw(st.sampled_from(value) if value else json_values)]
    if isinstance(value, dict):
        return {**value, draw(st.sampled_from("abcde")): draw(json_values)}
    return draw(json_values)


@settings(max_examples=200, deadline=None)
@given(annotations_with_classes, st.data())
def test_property_9_schema_accepts_exactly_the_inhabitants(tp: Any, data: Any) -> None:
    """Property 9: for generated annotations and values, from_type(T) accepts v iff v inhabits T."""
    validator = gt.compile(gt.from_type(tp))
    good = data.draw(inhabitants(tp), label="inhabitant")
    assert inhabits(good, tp), (tp, good)
    assert validator.is_valid(good), (tp, good)
    others = st.lists(json_values | mutants(good), min_size=1, max_size=4)
    for value in data.draw(others, label="values"):
        assert validator.is_valid(value) == inhabits(value, tp), (tp, value)
