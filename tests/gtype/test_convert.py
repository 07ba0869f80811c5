"""``Validator.convert`` / ``convert_json`` and ``gt.from_type``'s converted types (gtype.md §9).

These run on the active backend (the suite runs once per backend); the differential tests in
``test_output_differential.py`` hold native and pure to each other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any, NamedTuple, NotRequired, TypedDict

import msgspec
import pydantic
import pytest

from gati import SchemaError, ValidationError, gt


class Role(enum.Enum):
    ADMIN = "admin"
    USER = "user"


@dataclasses.dataclass
class Address:
    street: str
    zip: str = "00000"


@dataclasses.dataclass
class User:
    id: uuid.UUID
    name: str
    role: Role
    address: Address
    born: dt.date
    tags: list[str] = dataclasses.field(default_factory=list)
    score: Decimal | None = None


class Point(NamedTuple):
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: NotRequired[int]


USER_JSON: dict[str, Any] = {
    "id": "123e4567-e89b-12d3-a456-426614174000",
    "name": "Ada",
    "role": "admin",
    "address": {"street": "12 St James's Square"},
    "born": "1815-12-10",
    "score": "9.50",
}


def test_a_dataclass_converts_to_an_instance_with_nested_dataclasses_and_scalars() -> None:
    user = gt.compile(gt.from_type(User)).convert(USER_JSON)
    assert user == User(
        id=uuid.UUID(USER_JSON["id"]),
        name="Ada",
        role=Role.ADMIN,
        address=Address("12 St James's Square"),
        born=dt.date(1815, 12, 10),
        score=Decimal("9.50"),
    )
    assert type(user.score) is Decimal and type(user.id) is uuid.UUID


def test_convert_json_reads_and_converts_in_one_call() -> None:
    import orjson

    user = gt.compile(gt.from_type(User)).convert_json(orjson.dumps(USER_JSON))
    assert isinstance(user, User) and user.address == Address("12 St James's Square")


def test_validate_still_returns_the_plain_json_value() -> None:
    validator = gt.compile(gt.from_type(User))
    assert validator.validate(USER_JSON) is USER_JSON


def test_convert_validates_first_and_raises_every_error() -> None:
    with pytest.raises(ValidationError) as info:
        gt.compile(gt.from_type(User)).convert({**USER_JSON, "id": "nope", "role": "root"})
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        (("id",), "string_format"),
        (("role",), "enum_error"),
    ]


@pytest.mark.parametrize(
    ("annotation", "text", "expected"),
    [
        (dt.datetime, "2024-02-29T12:30:00Z", dt.datetime(2024, 2, 29, 12, 30, tzinfo=dt.UTC)),
        (
            dt.datetime,
            "2024-02-29t12:30:00.5+01:00",
            dt.datetime.fromisoformat("2024-02-29T12:30:00.5+01:00"),
        ),
        (dt.date, "2024-02-29", dt.date(2024, 2, 29)),
        (dt.time, "08:15:00", dt.time(8, 15)),
        (
            uuid.UUID,
            "123E4567-E89B-12D3-A456-426614174000",
            uuid.UUID(int=0x123E4567E89B12D3A456426614174000),
        ),
        (Decimal, "1.10", Decimal("1.10")),
        (Decimal, 0.1, Decimal("0.1")),
        (Decimal, 7, Decimal(7)),
        (bytes, "aGk=", b"hi"),
        (Role, "user", Role.USER),
        (set[int], [1, 2], {1, 2}),
        (frozenset[str], ["a"], frozenset({"a"})),
        (tuple[int, ...], [1, 2], (1, 2)),
        (tuple[int, str], [1, "a"], (1, "a")),
        (Point, [1, 2], Point(1, 2)),
    ],
)
def test_from_type_converts_each_type(annotation: Any, text: Any, expected: Any) -> None:
    got = gt.compile(gt.from_type(annotation)).convert(text)
    assert got == expected and type(got) is type(expected)


def test_invalid_text_for_converted_types_is_a_validation_error() -> None:
    for annotation, bad in (
        (uuid.UUID, "x"),
        (dt.date, "2023-02-29"),
        (Decimal, "1.2.3"),
        (bytes, "abc"),
    ):
        with pytest.raises(ValidationError):
            gt.compile(gt.from_type(annotation)).convert(bad)


def test_a_converter_refusing_a_value_is_one_custom_error_at_its_path() -> None:
    validator = gt.compile(gt.from_type(dict[str, dt.time]))
    with pytest.raises(ValidationError) as info:
        validator.convert({"ok": "10:00:00", "leap": "23:59:60Z"})  # valid RFC 3339, no Python time
    [error] = info.value.errors()
    assert error["path"] == ("leap",) and error["code"] == "custom"
    assert "second" in error["message"]


def test_a_typeddict_stays_a_dict_and_a_namedtuple_becomes_the_class() -> None:
    assert gt.compile(gt.from_type(Movie)).convert({"title": "M", "x": 1}) == {"title": "M"}
    assert gt.compile(gt.from_type(list[Point])).convert([[1, 2]]) == [Point(1, 2)]


def test_defaults_fill_missing_optional_fields_with_a_fresh_copy_each_time() -> None:
    schema = gt.object({"tags": gt.optional(gt.array(gt.string(), default=[])), "n": gt.integer()})
    validator = gt.compile(schema)
    first, second = validator.convert({"n": 1}), validator.convert({"n": 2})
    assert first == {"n": 1, "tags": []}
    assert first["tags"] is not second["tags"]


def test_a_dataclass_default_is_the_schema_default_and_factories_run_in_init() -> None:
    core = gt.from_type(Address).core()
    assert core["properties"]["zip"]["default"] == "00000"
    user = gt.compile(gt.from_type(User)).convert(
        {k: v for k, v in USER_JSON.items() if k != "score"}
    )
    assert user.tags == [] and user.score is None


def test_nothing_to_convert_gives_back_the_value_itself() -> None:
    value = {"a": [1, 2], "b": {"c": "d"}}
    schema = gt.object({"a": gt.array(gt.integer()), "b": gt.record(gt.string())})
    assert gt.compile(schema).convert(value) is value


def test_convert_takes_a_named_conversion_or_a_callable() -> None:
    assert gt.compile(gt.string(format="uuid", convert="uuid")).convert(
        str(uuid.UUID(int=1))
    ) == uuid.UUID(int=1)
    pair = gt.object({"a": gt.integer()}, convert=lambda **kw: ("made", kw))
    assert gt.compile(pair).convert({"a": 1}) == ("made", {"a": 1})
    with pytest.raises(SchemaError, match="does not apply to integer"):
        gt.integer(convert="uuid")
    with pytest.raises(SchemaError, match="set it on the members"):
        gt.union(gt.integer(), convert=int)


def test_a_union_converts_through_the_member_that_validated() -> None:
    validator = gt.compile(gt.from_type(uuid.UUID | int))
    assert validator.convert(5) == 5
    assert validator.convert(str(uuid.UUID(int=3))) == uuid.UUID(int=3)


def test_a_recursive_dataclass_converts_at_every_level() -> None:
    got = gt.compile(gt.from_type(Tree)).convert(
        {"value": 1, "children": [{"value": 2, "children": []}]}
    )
    assert got == Tree(1, [Tree(2, [])])


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree]


def test_pydantic_models_and_msgspec_structs_are_refused_with_a_pointer() -> None:
    class Model(pydantic.BaseModel):
        a: int

    class Struct(msgspec.Struct):
        a: int

    for cls in (Model, Struct):
        with pytest.raises(SchemaError, match="@dataclass"):
            gt.from_type(cls)


def test_bytearray_is_still_refused() -> None:
    with pytest.raises(SchemaError, match="bytes"):
        gt.from_type(bytearray)


@dataclasses.dataclass
class Checked:
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("n must not be negative")


@dataclasses.dataclass(frozen=True)
class Frozen:
    n: int
    label: str = "x"


def test_init_is_skipped_only_where_it_changes_nothing() -> None:
    from gati.gtype._plan import make_plan

    def skips(cls: Any) -> bool:
        return bool(make_plan(gt.from_type(cls).core())["root"]["instance_dict"])

    assert skips(Address) and skips(Frozen)
    assert not skips(Checked)  # __post_init__ runs
    assert not skips(User)  # tags has a default_factory
    assert gt.compile(gt.from_type(Frozen)).convert({"n": 1}) == Frozen(1)
    with pytest.raises(ValidationError) as info:
        gt.compile(gt.from_type(list[Checked])).convert([{"n": 1}, {"n": -1}])
    [error] = info.value.errors()
    assert (error["path"], error["code"], error["message"]) == (
        (1,),
        "custom",
        "n must not be negative",
    )
