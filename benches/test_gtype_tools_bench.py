"""The GType tools against pydantic on one annotated model family.

``from_type`` is timed with ``compile`` (pydantic's ``TypeAdapter(T)`` also builds its validator);
``to_json_schema`` against ``TypeAdapter.json_schema()``; ``diff`` has no counterpart. The tools are
Python whatever the backend; only ``compile`` uses the active backend.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

import annotated_types as at
import pytest
from pydantic import TypeAdapter

from gati import backend, gt


@dataclasses.dataclass
class Address:
    street: str
    city: str
    zip: Annotated[str, at.MinLen(5), at.MaxLen(5)]


@dataclasses.dataclass
class User:
    email: Annotated[str, at.MaxLen(254)]
    age: Annotated[int, at.Ge(18), at.Le(100)]
    name: Annotated[str, at.MinLen(1), at.MaxLen(100)]
    tags: list[Annotated[str, at.MaxLen(20)]]
    address: Address
    role: Literal["admin", "user", "guest"]
    score: float | None = None
    friends: list[User] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class UserV2(User):
    team: str = ""


GATI = f"gati-{backend()}"


def _mark(name: str) -> Any:
    return pytest.mark.benchmark(group=f"gtype-tools: {name}")


@_mark("from_type + compile")
def test_from_type_gati(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = GATI
    validator = benchmark(lambda: gt.compile(gt.from_type(User)))
    assert validator.is_valid(
        {
            "email": "a@b.co",
            "age": 30,
            "name": "A",
            "tags": [],
            "address": {"street": "s", "city": "c", "zip": "12345"},
            "role": "user",
        }
    )


@_mark("from_type + compile")
def test_from_type_pydantic(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "pydantic"
    benchmark(lambda: TypeAdapter(User))


@_mark("to_json_schema")
def test_to_json_schema_gati(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    schema = gt.from_type(User)
    doc = benchmark(gt.to_json_schema, schema)
    assert "User" in doc["$defs"]


@_mark("to_json_schema")
def test_to_json_schema_pydantic(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "pydantic"
    adapter = TypeAdapter(User)
    benchmark(adapter.json_schema)


@_mark("diff")
def test_diff_gati(benchmark: Any) -> None:
    benchmark.extra_info["impl"] = "gati-pure"
    old, new = gt.from_type(User), gt.from_type(UserV2)
    result = benchmark(gt.diff, old, new, role="request")
    assert not result.breaking
