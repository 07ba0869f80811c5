"""Compiling schemas into the active backend's ``Validator``, and one-shot validation."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from gati._backend import twin
from gati.errors import SchemaError, ValidationError
from gati.gtype._plan import make_plan
from gati.gtype.schema import Schema

__all__ = ["Result", "Validator", "compile_schema", "validate"]

Validator: Any = twin("Validator")


class Result(NamedTuple):
    """The outcome of ``gt.validate``: ``value`` is the validated value, or ``None`` if invalid."""

    valid: bool
    errors: list[dict[str, Any]]
    value: Any


def compile_schema(schema: Schema, *, max_errors: int = 100, max_depth: int = 256) -> Any:
    """Plan ``schema`` once and build the active backend's validator for it."""
    if not isinstance(schema, Schema):
        raise SchemaError(_not_a_schema(schema))
    plan = make_plan(schema.core(), max_errors=max_errors, max_depth=max_depth)
    return Validator(plan, schema)


def _not_a_schema(value: Any) -> str:
    """What to say when ``gt.compile`` gets something else; a class gets a pointer to
    ``gt.from_type``."""
    text = f"gt.compile() takes a gt schema, not {type(value).__name__}"
    if isinstance(value, type) or hasattr(value, "__annotations__"):
        name = getattr(value, "__name__", None) or repr(value)
        text += f"; for a class or annotation write gt.compile(gt.from_type({name}))"
    return text


@functools.lru_cache(maxsize=256)
def _cached(schema: Schema) -> Any:
    return compile_schema(schema)


def validate(schema: Schema, value: Any) -> Result:
    """Validate once against ``schema`` (its compiled validator is cached per schema)."""
    try:
        return Result(True, [], _cached(schema).validate(value))
    except ValidationError as exc:
        return Result(False, exc.errors(), None)
