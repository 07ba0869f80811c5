"""GType validation: the pure-Python validator against pydantic-core on the CreateUser object.

Run with ``python -m pytest benches/test_gtype_pure.py --benchmark-only`` (or ``benches/run.py``).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal, NotRequired

import pytest
from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

from gati import ValidationError, gt
from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan

CREATE_USER = gt.object(
    {
        "email": gt.string(format="email"),
        "age": gt.integer(min=18, max=100),
        "name": gt.string(min_length=1, max_length=100),
        "id": gt.string(format="uuid"),
        "tags": gt.array(gt.string(min_length=1, max_length=20), max_items=10),
        "address": gt.object({"street": gt.string(), "zip": gt.string(pattern=r"^[0-9]{5}$")}),
        "role": gt.literal("admin", "user", "guest"),
        "score": gt.optional(gt.number(min=0)),
    }
)
GOOD = {
    "email": "alice@example.com",
    "age": 30,
    "name": "Alice",
    "id": "12345678-1234-1234-1234-123456789abc",
    "tags": ["a", "b"],
    "address": {"street": "Main St", "zip": "12345"},
    "role": "user",
    "score": 1.5,
}
BAD = {**GOOD, "age": 7, "address": {"street": "Main St", "zip": "1234"}, "role": "root"}
GOOD_JSON = json.dumps(GOOD).encode()


class Address(TypedDict):
    street: str
    zip: Annotated[str, Field(pattern=r"^[0-9]{5}$")]


class CreateUser(TypedDict):
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    age: Annotated[int, Field(ge=18, le=100, strict=True)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    id: uuid.UUID
    tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=20)]], Field(max_length=10)]
    address: Address
    role: Literal["admin", "user", "guest"]
    score: NotRequired[Annotated[float, Field(ge=0)]]


PURE = PureValidator(make_plan(CREATE_USER.core()), CREATE_USER)
PYDANTIC = TypeAdapter(CreateUser)


def _invalid(validate: Any, value: Any) -> None:
    try:
        validate(value)
    except (ValidationError, ValueError):
        return
    raise AssertionError("the invalid value passed")


@pytest.mark.benchmark(group="gtype-pure: CreateUser valid dict")
def test_valid_pure(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    assert benchmark(PURE.validate, GOOD) is GOOD


@pytest.mark.benchmark(group="gtype-pure: CreateUser valid dict")
def test_valid_pydantic(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "pydantic-core"
    benchmark(PYDANTIC.validate_python, GOOD)


@pytest.mark.benchmark(group="gtype-pure: CreateUser is_valid")
def test_is_valid_pure(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    assert benchmark(PURE.is_valid, GOOD)


@pytest.mark.benchmark(group="gtype-pure: CreateUser invalid dict (3 errors)")
def test_invalid_pure(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    benchmark(_invalid, PURE.validate, BAD)


@pytest.mark.benchmark(group="gtype-pure: CreateUser invalid dict (3 errors)")
def test_invalid_pydantic(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "pydantic-core"
    benchmark(_invalid, PYDANTIC.validate_python, BAD)


@pytest.mark.benchmark(group="gtype-pure: CreateUser JSON bytes")
def test_json_pure(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    assert benchmark(PURE.validate_json, GOOD_JSON) == GOOD


@pytest.mark.benchmark(group="gtype-pure: CreateUser JSON bytes")
def test_json_pydantic(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "pydantic-core"
    benchmark(PYDANTIC.validate_json, GOOD_JSON)
