"""From Python annotations to GType, JSON Schema (OpenAPI 3.1) and a breaking-change report.

Run: ``python examples/schema_tools.py``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Literal, NotRequired, TypedDict

import annotated_types as at

from gati import gt


class Address(TypedDict):
    city: str
    zip: Annotated[str, at.Len(5, 5)]


@dataclasses.dataclass
class CreateUser:
    email: Annotated[str, gt.string(format="email")]
    age: Annotated[int, at.Ge(18)]
    address: Address
    role: Literal["admin", "user"] = "user"


class CreateUserV2(TypedDict):
    email: Annotated[str, gt.string(format="email")]
    age: Annotated[int, at.Ge(21)]
    address: Address
    role: NotRequired[Literal["admin", "user"]]
    team: str


def main() -> None:
    v1, v2 = gt.from_type(CreateUser), gt.from_type(CreateUserV2)
    print(json.dumps(gt.to_json_schema(v1), indent=2))
    report = gt.diff(v1, v2, role="request")
    print(report)
    print("breaking" if report.breaking else "compatible")


if __name__ == "__main__":
    main()
