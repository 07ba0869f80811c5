"""Small helpers shared by the GType tests (public API, active backend)."""

from __future__ import annotations

from typing import Any

import pytest

from gati import Schema, ValidationError, gt


def accepts(schema: Schema, value: Any) -> None:
    """``value`` is valid: validate returns the very same object and is_valid agrees."""
    v = gt.compile(schema)
    assert v.validate(value) is value
    assert v.is_valid(value) is True


def errors(schema: Schema, value: Any, **options: Any) -> list[dict[str, Any]]:
    """The error list for an invalid ``value`` (is_valid must agree)."""
    v = gt.compile(schema, **options)
    assert v.is_valid(value) is False
    with pytest.raises(ValidationError) as info:
        v.validate(value)
    return info.value.errors()


def codes(schema: Schema, value: Any, **options: Any) -> list[tuple[tuple[Any, ...], str]]:
    """``[(path, code), ...]`` for an invalid value."""
    return [(e["path"], e["code"]) for e in errors(schema, value, **options)]


def json_errors(schema: Schema, data: Any, **options: Any) -> list[dict[str, Any]]:
    """The error list of ``validate_json`` for an invalid document."""
    v = gt.compile(schema, **options)
    with pytest.raises(ValidationError) as info:
        v.validate_json(data)
    return info.value.errors()
