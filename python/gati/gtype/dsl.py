"""The ``gt.*`` constructors (docs/gtype.md §2): each builds one checked, immutable ``Schema``.

Functions whose names would shadow builtins carry a trailing underscore here; the ``gt``
namespace (``gati.gtype.gt``) exports them under their documented names.
"""

from __future__ import annotations

import enum as _enum
from collections.abc import Iterable, Mapping
from typing import Any

from gati.errors import SchemaError
from gati.gtype._plan import check_node, normalize
from gati.gtype.schema import Schema

__all__ = [
    "any_",
    "array",
    "boolean",
    "enum",
    "from_core",
    "integer",
    "intersection",
    "literal",
    "null",
    "number",
    "object_",
    "optional",
    "record",
    "ref",
    "string",
    "tuple_",
    "union",
]

_COMMON = frozenset({"nullable", "description", "default", "validators", "name", "convert"})


def _build(kind: str, keys: Mapping[str, Any], common: Mapping[str, Any]) -> Schema:
    unknown = set(common) - _COMMON
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TypeError(f"gt.{kind}() got unexpected keyword arguments: {names}")
    core: dict[str, Any] = {"type": kind}
    core.update((k, v) for k, v in keys.items() if v is not None)
    core.update(common)
    if "validators" in core:
        core["validators"] = list(core["validators"])
    return Schema(check_node(core, f"gt.{kind}()"))


def _core(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Schema):
        raise SchemaError(f"{where} must be a gt schema, not {type(value).__name__}")
    return value.core()


def string(
    *,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    format: str | None = None,
    pattern_timeout: float | None = None,
    **common: Any,
) -> Schema:
    """A ``str`` (or subclass), with lengths in code points, a searched pattern and a format.

    Patterns run on a linear-time engine; ``pattern_timeout`` (seconds) opts into a
    backtracking one, for look-around and back-references, bounded by that time.
    """
    keys = {
        "min_length": min_length,
        "max_length": max_length,
        "pattern": pattern,
        "pattern_timeout": pattern_timeout,
        "format": format,
    }
    return _build("string", keys, common)


def _bounds(
    min: float | None,
    max: float | None,
    exclusive_min: float | None,
    exclusive_max: float | None,
    multiple_of: float | None,
) -> dict[str, Any]:
    return {
        "min": min,
        "max": max,
        "exclusive_min": exclusive_min,
        "exclusive_max": exclusive_max,
        "multiple_of": multiple_of,
    }


def number(
    *,
    min: float | None = None,
    max: float | None = None,
    exclusive_min: float | None = None,
    exclusive_max: float | None = None,
    multiple_of: float | None = None,
    **common: Any,
) -> Schema:
    """An ``int`` or finite ``float`` (never a ``bool``)."""
    return _build("number", _bounds(min, max, exclusive_min, exclusive_max, multiple_of), common)


def integer(
    *,
    min: float | None = None,
    max: float | None = None,
    exclusive_min: float | None = None,
    exclusive_max: float | None = None,
    multiple_of: float | None = None,
    **common: Any,
) -> Schema:
    """An ``int`` (never a ``bool``)."""
    return _build("integer", _bounds(min, max, exclusive_min, exclusive_max, multiple_of), common)


def boolean(**common: Any) -> Schema:
    """A ``bool``."""
    return _build("boolean", {}, common)


def null(**common: Any) -> Schema:
    """``None``."""
    return _build("null", {}, common)


def any_(**common: Any) -> Schema:
    """Anything; validation does not descend into it."""
    return _build("any", {}, common)


def literal(*values: str | int | bool | None, **common: Any) -> Schema:
    """One of the given str / int / bool / None values (``True`` never matches ``1``)."""
    return _build("literal", {"values": list(values)}, common)


def enum(values: type[_enum.Enum] | Iterable[Any], **common: Any) -> Schema:
    """One of the values, or a member of (or a value of a member of) an ``Enum`` class."""
    if isinstance(values, type) and issubclass(values, _enum.Enum):
        keys = {"values": [m.value for m in values], "enum_class": values}
    elif isinstance(values, str | bytes):
        raise SchemaError("gt.enum() takes an iterable of values or an Enum class, not a string")
    else:
        keys = {"values": list(values)}
    return _build("enum", keys, common)


def object_(
    properties: Mapping[str, Schema], *, extra: str | Schema = "ignore", **common: Any
) -> Schema:
    """A ``dict`` with these properties (required unless wrapped in ``gt.optional``)."""
    if not isinstance(properties, Mapping):
        raise SchemaError("gt.object() takes a mapping of property names to schemas")
    props: dict[str, Any] = {}
    required: list[str] = []
    for name, schema in properties.items():
        core = _core(schema, f"property {name!r}")
        if not core.pop("optional", False):
            required.append(name)
        props[name] = core
    extra_core = _core(extra, "extra") if isinstance(extra, Schema) else extra
    keys = {"properties": props, "required": required, "extra": extra_core}
    return _build("object", keys, common)


def optional(schema: Schema) -> Schema:
    """Marks a property of ``gt.object`` as not required; refused anywhere else."""
    core = _core(schema, "gt.optional()")
    core["optional"] = True
    return Schema(core)


def array(
    items: Schema,
    *,
    min_items: int | None = None,
    max_items: int | None = None,
    unique_items: bool = False,
    **common: Any,
) -> Schema:
    """A list, tuple, set or frozenset whose every item matches ``items``."""
    keys = {
        "items": _core(items, "array items"),
        "min_items": min_items,
        "max_items": max_items,
        "unique_items": unique_items,
    }
    return _build("array", keys, common)


def tuple_(items: Iterable[Schema], *, rest: Schema | None = None, **common: Any) -> Schema:
    """A list or tuple with one item per schema, then any number matching ``rest``."""
    keys = {
        "items": [_core(s, f"tuple item {i}") for i, s in enumerate(items)],
        "rest": None if rest is None else _core(rest, "tuple rest"),
    }
    return _build("tuple", keys, common)


def record(values: Schema, **common: Any) -> Schema:
    """A ``dict`` with str keys and values matching ``values``."""
    return _build("record", {"values": _core(values, "record values")}, common)


def union(*members: Schema, discriminator: str | None = None, **common: Any) -> Schema:
    """The first member that matches wins; a discriminator picks the member by a tag property."""
    keys = {
        "members": [_core(s, f"union member {i}") for i, s in enumerate(members)],
        "discriminator": discriminator,
    }
    return _build("union", keys, common)


def intersection(*members: Schema, **common: Any) -> Schema:
    """Every member must match."""
    keys = {"members": [_core(s, f"intersection member {i}") for i, s in enumerate(members)]}
    return _build("intersection", keys, common)


def ref(name: str, **common: Any) -> Schema:
    """The schema defined elsewhere in the same tree with ``name=...`` (recursion allowed)."""
    if "name" in common:
        raise TypeError("gt.ref() takes the target name as its argument and no name= keyword")
    return _build("ref", {"name": name}, common)


def from_core(core: Mapping[str, Any]) -> Schema:
    """The ``Schema`` for a core schema dict (checked node by node)."""
    return Schema(normalize(dict(core)))
