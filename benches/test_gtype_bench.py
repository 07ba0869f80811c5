"""GType validation against pydantic-core, msgspec and jsonschema_rs on the CreateUser family,
and on a document tree (a discriminated union of three members, recursive through a ref).

The ``convert`` group builds objects: gati's ``Validator.convert`` into a dataclass, pydantic-core's
``validate_python`` into the same kind of dataclass, msgspec's ``convert`` into a Struct; each
also turns ``id`` into a ``uuid.UUID``.

Every library checks the same constraints. Where a library has no such format, the
format is written as a pattern (msgspec and pydantic-core have no built-in `email`
without extra packages; both get the same email and uuid patterns).
"""

from __future__ import annotations

import dataclasses
import importlib
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired, Union

import jsonschema_rs
import msgspec
import orjson
import pydantic
import pytest
from pydantic import Field, StringConstraints, TypeAdapter
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from gati import ValidationError

# ---- data -------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "email": "ada.lovelace@example.com",
    "age": 36,
    "name": "Ada Lovelace",
    "id": "123e4567-e89b-12d3-a456-426614174000",
    "tags": ["math", "poetry", "engines"],
    "address": {"street": "12 St James's Square", "city": "London", "zip": "12345"},
    "role": "admin",
    "score": 9.5,
}
INVALID: dict[str, Any] = {**VALID, "age": 5, "email": "not-an-email"}
MANY: list[dict[str, Any]] = [
    {**VALID, "age": 18 + i % 80, "name": f"user {i}", "role": ("admin", "user", "guest")[i % 3]}
    for i in range(1000)
]
VALID_JSON = orjson.dumps(VALID)
MANY_JSON = orjson.dumps(MANY)

# ---- gati -------------------------------------------------------------------------------


def gati_schemas() -> tuple[Any, Any]:
    from gati import gt

    user = gt.object(
        {
            "email": gt.string(format="email"),
            "age": gt.integer(min=18, max=100),
            "name": gt.string(min_length=1, max_length=100),
            "id": gt.string(format="uuid"),
            "tags": gt.array(gt.string(min_length=1, max_length=20), max_items=10),
            "address": gt.object(
                {
                    "street": gt.string(),
                    "city": gt.string(),
                    "zip": gt.string(pattern="^[0-9]{5}$"),
                }
            ),
            "role": gt.literal("admin", "user", "guest"),
            "score": gt.optional(gt.number(min=0)),
        }
    )
    return user, gt.array(user)


def gati_validators(module: str) -> tuple[Any, Any] | None:
    """Validators for CreateUser and list[CreateUser] from one backend, or None if absent."""
    try:
        validator = importlib.import_module(module).Validator
        from gati.gtype._plan import make_plan
    except ImportError:
        return None
    return tuple(validator(make_plan(s.core())) for s in gati_schemas())  # type: ignore[return-value]


@dataclasses.dataclass
class Address:
    street: str
    city: str
    zip: str


@dataclasses.dataclass
class User:
    email: str
    age: int
    name: str
    id: uuid.UUID
    tags: list[str]
    address: Address
    role: str
    score: float | None = None


def gati_converters(module: str) -> Any:
    """A validator converting CreateUser into ``User`` from one backend, or None if absent."""
    from gati import gt

    try:
        validator = importlib.import_module(module).Validator
        from gati.gtype._plan import make_plan
    except ImportError:
        return None
    user = gt.object(
        {
            "email": gt.string(format="email"),
            "age": gt.integer(min=18, max=100),
            "name": gt.string(min_length=1, max_length=100),
            "id": gt.string(format="uuid", convert="uuid"),
            "tags": gt.array(gt.string(min_length=1, max_length=20), max_items=10),
            "address": gt.object(
                {
                    "street": gt.string(),
                    "city": gt.string(),
                    "zip": gt.string(pattern="^[0-9]{5}$"),
                },
                convert=Address,
            ),
            "role": gt.literal("admin", "user", "guest"),
            "score": gt.optional(gt.number(min=0, nullable=True, default=None)),
        },
        convert=User,
    )
    return validator(make_plan(user.core()))


# ---- pydantic-core ----------------------------------------------------------------------

EMAIL_RE = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]*[A-Za-z-][A-Za-z0-9-]*$"
)
UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class PAddress(TypedDict):
    street: str
    city: str
    zip: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


class PUser(TypedDict):
    email: Annotated[str, StringConstraints(pattern=EMAIL_RE, max_length=318)]
    age: Annotated[int, Field(ge=18, le=100)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    id: Annotated[str, StringConstraints(pattern=UUID_RE)]
    tags: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=20)]], Field(max_length=10)
    ]
    address: PAddress
    role: Literal["admin", "user", "guest"]
    score: NotRequired[Annotated[float, Field(ge=0)]]


P_ONE = TypeAdapter(PUser)
P_MANY = TypeAdapter(list[PUser])


@dataclasses.dataclass
class PAddressDC:
    street: str
    city: str
    zip: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


@dataclasses.dataclass
class PUserDC:
    email: Annotated[str, StringConstraints(pattern=EMAIL_RE, max_length=318)]
    age: Annotated[int, Field(ge=18, le=100)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    id: uuid.UUID
    tags: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=20)]], Field(max_length=10)
    ]
    address: PAddressDC
    role: Literal["admin", "user", "guest"]
    score: Annotated[float, Field(ge=0)] | None = None


P_CONVERT = TypeAdapter(PUserDC)

# ---- msgspec ----------------------------------------------------------------------------

Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class MAddress(TypedDict):
    street: str
    city: str
    zip: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{5}$")]


class MUser(TypedDict):
    email: Annotated[str, msgspec.Meta(pattern=EMAIL_RE)]
    age: Annotated[int, msgspec.Meta(ge=18, le=100)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    id: Annotated[str, msgspec.Meta(pattern=UUID_RE)]
    tags: Annotated[list[Tag], msgspec.Meta(max_length=10)]
    address: MAddress
    role: Literal["admin", "user", "guest"]
    score: NotRequired[Annotated[float, msgspec.Meta(ge=0)]]


class MAddressStruct(msgspec.Struct):
    street: str
    city: str
    zip: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{5}$")]


class MUserStruct(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(pattern=EMAIL_RE)]
    age: Annotated[int, msgspec.Meta(ge=18, le=100)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    id: uuid.UUID
    tags: Annotated[list[Tag], msgspec.Meta(max_length=10)]
    address: MAddressStruct
    role: Literal["admin", "user", "guest"]
    score: Annotated[float, msgspec.Meta(ge=0)] | None = None


M_ONE_DEC = msgspec.json.Decoder(MUser)
M_MANY_DEC = msgspec.json.Decoder(list[MUser])

# ---- jsonschema_rs ----------------------------------------------------------------------

JS_USER = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "age": {"type": "integer", "minimum": 18, "maximum": 100},
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "id": {"type": "string", "format": "uuid"},
        "tags": {
            "type": "array",
            "maxItems": 10,
            "items": {"type": "string", "minLength": 1, "maxLength": 20},
        },
        "address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
            "required": ["street", "city", "zip"],
        },
        "role": {"enum": ["admin", "user", "guest"]},
        "score": {"type": "number", "minimum": 0},
    },
    "required": ["email", "age", "name", "id", "tags", "address", "role"],
}
JS_ONE = jsonschema_rs.Draft202012Validator(JS_USER, validate_formats=True)
JS_MANY = jsonschema_rs.Draft202012Validator(
    {"type": "array", "items": JS_USER}, validate_formats=True
)

# ---- a document tree: a discriminated union of three members, recursive through a ref ----

TREE: dict[str, Any] = {
    "kind": "section",
    "title": "Notes on the Analytical Engine",
    "children": [
        {"kind": "text", "text": "The engine weaves algebraic patterns."},
        {"kind": "image", "src": "/figures/engine.png", "width": 640, "height": 480},
        {
            "kind": "section",
            "title": "Note G",
            "children": [
                {"kind": "text", "text": "Bernoulli numbers, step by step."},
                {"kind": "image", "src": "/figures/table.png", "width": 800, "height": 600},
                {
                    "kind": "section",
                    "title": "The table",
                    "children": [{"kind": "text", "text": "Twenty-five operations."}],
                },
            ],
        },
        {"kind": "text", "text": "It might compose music."},
    ],
}
TREE_JSON = orjson.dumps(TREE)


def gati_tree_schema() -> Any:
    from gati import gt

    return gt.union(
        gt.object({"kind": gt.literal("text"), "text": gt.string(max_length=500)}),
        gt.object(
            {
                "kind": gt.literal("image"),
                "src": gt.string(min_length=1, max_length=200),
                "width": gt.integer(min=1, max=10_000),
                "height": gt.integer(min=1, max=10_000),
            }
        ),
        gt.object(
            {
                "kind": gt.literal("section"),
                "title": gt.string(min_length=1, max_length=100),
                "children": gt.array(gt.ref("Block"), max_items=100),
            }
        ),
        discriminator="kind",
        name="Block",
    )


def gati_tree_validator(module: str) -> Any:
    """A validator for the document tree from one backend, or None if absent."""
    try:
        validator = importlib.import_module(module).Validator
        from gati.gtype._plan import make_plan
    except ImportError:
        return None
    return validator(make_plan(gati_tree_schema().core()))


class PText(TypedDict):
    kind: Literal["text"]
    text: Annotated[str, StringConstraints(max_length=500)]


class PImage(TypedDict):
    kind: Literal["image"]
    src: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    width: Annotated[int, Field(ge=1, le=10_000)]
    height: Annotated[int, Field(ge=1, le=10_000)]


class PSection(TypedDict):
    kind: Literal["section"]
    title: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    children: Annotated[list[PBlock], Field(max_length=100)]


PBlock = Annotated[Union[PText, PImage, PSection], Field(discriminator="kind")]  # noqa: UP007
P_TREE = TypeAdapter(PBlock)


class MText(msgspec.Struct, tag_field="kind", tag="text"):
    text: Annotated[str, msgspec.Meta(max_length=500)]


class MImage(msgspec.Struct, tag_field="kind", tag="image"):
    src: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    width: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    height: Annotated[int, msgspec.Meta(ge=1, le=10_000)]


class MSection(msgspec.Struct, tag_field="kind", tag="section"):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    children: Annotated[list[MBlock], msgspec.Meta(max_length=100)]


MBlock = MText | MImage | MSection
M_TREE_DEC = msgspec.json.Decoder(MBlock)

JS_TREE = jsonschema_rs.Draft202012Validator(
    {
        "$ref": "#/$defs/block",
        "$defs": {
            "block": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"const": "text"},
                            "text": {"type": "string", "maxLength": 500},
                        },
                        "required": ["kind", "text"],
                    },
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"const": "image"},
                            "src": {"type": "string", "minLength": 1, "maxLength": 200},
                            "width": {"type": "integer", "minimum": 1, "maximum": 10_000},
                            "height": {"type": "integer", "minimum": 1, "maximum": 10_000},
                        },
                        "required": ["kind", "src", "width", "height"],
                    },
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"const": "section"},
                            "title": {"type": "string", "minLength": 1, "maxLength": 100},
                            "children": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {"$ref": "#/$defs/block"},
                            },
                        },
                        "required": ["kind", "title", "children"],
                    },
                ]
            }
        },
    }
)

# ---- cases ------------------------------------------------------------------------------

NATIVE = gati_validators("gati._native")
PURE = gati_validators("gati._pure.gtype")
NATIVE_CONVERT = gati_converters("gati._native")
PURE_CONVERT = gati_converters("gati._pure.gtype")
NATIVE_TREE = gati_tree_validator("gati._native")
PURE_TREE = gati_tree_validator("gati._pure.gtype")


def gati_tree(validator: Any) -> Callable[[], Any]:
    if validator is None:
        pytest.skip("this gati backend is not importable")
    validate_json = validator.validate_json
    return lambda: validate_json(TREE_JSON)


def gati_convert(converter: Any) -> Callable[[], Any]:
    if converter is None:
        pytest.skip("this gati backend is not importable")
    convert = converter.convert
    return lambda: convert(VALID)


def gati_errors(validate: Callable[[Any], Any], value: Any) -> list[dict[str, Any]]:
    try:
        validate(value)
    except ValidationError as exc:
        return exc.errors()
    raise AssertionError("expected errors")


def pydantic_errors(value: Any) -> list[Any]:
    try:
        P_ONE.validate_python(value)
    except pydantic.ValidationError as exc:
        return exc.errors()
    raise AssertionError("expected errors")


def msgspec_errors(value: Any) -> str:
    try:
        msgspec.convert(value, MUser)
    except msgspec.ValidationError as exc:
        return str(exc)
    raise AssertionError("expected an error")


def gati_op(validators: tuple[Any, Any] | None, many: bool, method: str, data: Any) -> Any:
    """One gati operation, or a skip when that backend is not importable."""
    if validators is None:
        pytest.skip("this gati backend is not importable")
    if method == "errors":
        validate = validators[0].validate
        return lambda: gati_errors(validate, data)
    bound = getattr(validators[1 if many else 0], method)
    return lambda: bound(data)


# Each case: group, then impl -> a factory of a no-argument function doing one operation.
CASES: dict[str, dict[str, Callable[[], Callable[[], Any]]]] = {
    "gtype: valid dict": {
        "gati-native": lambda: gati_op(NATIVE, False, "validate", VALID),
        "gati-pure": lambda: gati_op(PURE, False, "validate", VALID),
        "pydantic-core": lambda: lambda: P_ONE.validate_python(VALID),
        "msgspec": lambda: lambda: msgspec.convert(VALID, MUser),
        "jsonschema_rs": lambda: lambda: JS_ONE.is_valid(VALID),
    },
    "gtype: invalid dict, all errors": {
        "gati-native": lambda: gati_op(NATIVE, False, "errors", INVALID),
        "gati-pure": lambda: gati_op(PURE, False, "errors", INVALID),
        "pydantic-core": lambda: lambda: pydantic_errors(INVALID),
        "msgspec": lambda: lambda: msgspec_errors(INVALID),
        "jsonschema_rs": lambda: lambda: list(JS_ONE.iter_errors(INVALID)),
    },
    "gtype: valid JSON bytes": {
        "gati-native": lambda: gati_op(NATIVE, False, "validate_json", VALID_JSON),
        "gati-pure": lambda: gati_op(PURE, False, "validate_json", VALID_JSON),
        "pydantic-core": lambda: lambda: P_ONE.validate_json(VALID_JSON),
        "msgspec": lambda: lambda: M_ONE_DEC.decode(VALID_JSON),
        "jsonschema_rs": lambda: lambda: JS_ONE.is_valid(orjson.loads(VALID_JSON)),
    },
    "gtype: convert dict into a dataclass / Struct": {
        "gati-native": lambda: gati_convert(NATIVE_CONVERT),
        "gati-pure": lambda: gati_convert(PURE_CONVERT),
        "pydantic-core": lambda: lambda: P_CONVERT.validate_python(VALID),
        "msgspec": lambda: lambda: msgspec.convert(VALID, MUserStruct),
    },
    "gtype: 1,000 dicts": {
        "gati-native": lambda: gati_op(NATIVE, True, "validate", MANY),
        "gati-pure": lambda: gati_op(PURE, True, "validate", MANY),
        "pydantic-core": lambda: lambda: P_MANY.validate_python(MANY),
        "msgspec": lambda: lambda: msgspec.convert(MANY, list[MUser]),
        "jsonschema_rs": lambda: lambda: JS_MANY.is_valid(MANY),
    },
    "gtype: 1,000 as JSON": {
        "gati-native": lambda: gati_op(NATIVE, True, "validate_json", MANY_JSON),
        "gati-pure": lambda: gati_op(PURE, True, "validate_json", MANY_JSON),
        "pydantic-core": lambda: lambda: P_MANY.validate_json(MANY_JSON),
        "msgspec": lambda: lambda: M_MANY_DEC.decode(MANY_JSON),
        "jsonschema_rs": lambda: lambda: JS_MANY.is_valid(orjson.loads(MANY_JSON)),
    },
    "gtype: tagged union + recursive ref, JSON": {
        "gati-native": lambda: gati_tree(NATIVE_TREE),
        "gati-pure": lambda: gati_tree(PURE_TREE),
        "pydantic-core": lambda: lambda: P_TREE.validate_json(TREE_JSON),
        "msgspec": lambda: lambda: M_TREE_DEC.decode(TREE_JSON),
        "jsonschema_rs": lambda: lambda: JS_TREE.is_valid(orjson.loads(TREE_JSON)),
    },
}

PARAMS = [
    pytest.param(group, impl, id=f"{group}|{impl}", marks=pytest.mark.benchmark(group=group))
    for group, impls in CASES.items()
    for impl in impls
]


@pytest.mark.parametrize(("group", "impl"), PARAMS)
def test_gtype(benchmark: Any, group: str, impl: str) -> None:
    op = CASES[group][impl]()
    benchmark.extra_info["impl"] = impl
    result = op()
    assert result is not None
    benchmark(op)


def test_every_converter_builds_the_same_user() -> None:
    """The convert group measures what it claims: the same fields, ``id`` a UUID everywhere."""
    for converter in (NATIVE_CONVERT, PURE_CONVERT):
        if converter is not None:
            user = converter.convert(VALID)
            assert isinstance(user, User) and isinstance(user.address, Address)
            assert dataclasses.asdict(user) == dataclasses.asdict(P_CONVERT.validate_python(VALID))
    struct = msgspec.convert(VALID, MUserStruct)
    assert isinstance(struct.id, uuid.UUID) and struct.address.zip == VALID["address"]["zip"]


def test_every_library_agrees_on_the_data() -> None:
    """The cases measure what they claim: VALID passes everywhere, INVALID fails everywhere."""
    assert P_ONE.validate_python(VALID) and msgspec.convert(VALID, MUser)
    assert JS_ONE.is_valid(VALID) and not JS_ONE.is_valid(INVALID)
    assert {e["loc"][0] for e in pydantic_errors(INVALID)} == {"age", "email"}
    assert msgspec_errors(INVALID)
    assert JS_MANY.is_valid(MANY) and len(P_MANY.validate_json(MANY_JSON)) == 1000
    for validators in (NATIVE, PURE):
        if validators is not None:
            one, many = validators
            assert one.validate(VALID) is VALID and many.validate_json(MANY_JSON) == MANY
            errs = gati_errors(one.validate, INVALID)
            assert [(e["path"], e["code"]) for e in errs] == [
                (("email",), "string_format"),
                (("age",), "number_min"),
            ]
    for tree in (NATIVE_TREE, PURE_TREE):
        if tree is not None:
            assert tree.validate_json(TREE_JSON) == TREE
            bad = TREE_JSON.replace(b'"width":800', b'"width":0')
            assert [(e["path"], e["code"]) for e in gati_errors(tree.validate_json, bad)] == [
                (("children", 2, "children", 1, "width"), "number_min")
            ]
    assert P_TREE.validate_json(TREE_JSON) == TREE and JS_TREE.is_valid(TREE)
    assert isinstance(M_TREE_DEC.decode(TREE_JSON), MSection)
    assert not JS_TREE.is_valid({**TREE, "kind": "video"})


def _interleaved(group: str, rounds: int = 30, per_round: int = 3000) -> None:
    """Best-of-``rounds`` time per operation for each impl of ``group``, the impls taking turns
    within every round (the numbers least hurt by a busy machine)."""
    import time

    ops = {impl: factory() for impl, factory in CASES[group].items()}
    best = dict.fromkeys(ops, float("inf"))
    for _ in range(rounds):
        for impl, op in ops.items():
            started = time.perf_counter()
            for _ in range(per_round):
                op()
            best[impl] = min(best[impl], (time.perf_counter() - started) / per_round)
    print(f"\n## {group} (interleaved, best of {rounds} rounds)")
    base = best["pydantic-core"]
    for impl, seconds in best.items():
        print(f"{impl:14s} {seconds * 1e9:9,.0f} ns  {seconds / base:5.2f}x pydantic-core")


if __name__ == "__main__":
    _interleaved("gtype: convert dict into a dataclass / Struct")
    _interleaved("gtype: valid dict")
