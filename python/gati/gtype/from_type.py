"""Python annotations → GType: ``gt.from_type(T)``.

Validation never constructs objects: a dataclass or TypedDict annotation gives an object schema
that validates a *dict* with those fields, and ``tuple[int, str]`` validates a JSON array (a
list or tuple) of that shape. The schema's ``convert`` keys say what ``Validator.convert``
builds from the validated JSON value (docs/gtype.md §9). Mapping rules:

* ``str``, ``int``, ``float`` (→ number: ints are floats too, as for type checkers), ``bool``,
  ``None``, ``Any``/``object`` (→ any). ``NewType`` is its supertype.
* ``uuid.UUID`` → string ``format="uuid"``; ``datetime`` / ``date`` / ``time`` → string
  ``format="date-time"`` / ``"date"`` / ``"time"``; ``Decimal`` → a number or a numeric string;
  ``bytes`` → a base64 string (``bytearray``, ``memoryview`` are refused). Each converts to its
  type.
* ``NamedTuple`` → tuple of its fields (all of them, in order), converted to the class.
* pydantic models and msgspec Structs are refused with a pointer to a dataclass or TypedDict.
* ``Literal[...]`` → literal; an ``Enum`` class → enum of its values with ``enum_class`` (members
  are accepted too).
* ``X | None`` / ``Optional[X]`` → X made nullable; other unions → a first-match union, in order.
* ``list[T]``, ``Sequence[T]`` → array; ``set[T]``, ``frozenset[T]`` → array with unique items;
  ``tuple[A, B]`` → fixed tuple, ``tuple[T, ...]`` → array; ``dict[str, T]``,
  ``Mapping[str, T]`` → record (keys must be ``str``). A bare container holds ``Any``.
* ``TypedDict`` → object with its required keys (``total``, ``Required``, ``NotRequired``);
  dataclass → object whose ``init`` fields are properties, required unless they have a default
  (a JSON default is kept as the schema ``default``). Both ignore extra keys; a dataclass
  converts to an instance (built with ``cls(**fields)``), a TypedDict stays a dict.
* ``set[T]`` / ``frozenset[T]`` / ``tuple[...]`` convert to a set / frozenset / tuple.
* ``Annotated[T, ...]``: ``annotated_types`` ``Gt``, ``Ge``, ``Lt``, ``Le``, ``Interval``,
  ``MultipleOf`` (numbers), ``MinLen``, ``MaxLen``, ``Len`` (strings, arrays), ``Predicate``
  (a custom validator) and ``doc`` (description) tighten T; a bound given twice keeps the
  tighter one. A gati ``Schema`` marker of T's kind overrides the keys it sets
  (``Annotated[str, gt.string(format="email")]``); a marker of another kind, or on a TypedDict
  or dataclass, replaces T.
  Other annotated_types constraints are refused; foreign metadata is ignored.
* String annotations and forward references resolve in the owner's module (and the class's own
  name, for self-reference). A class used more than once, or recursively, is defined once under
  its name and referred to with ``gt.ref``.

Anything else raises ``SchemaError`` naming the annotation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import types
import typing
import uuid
from collections import abc
from typing import Any, ForwardRef, Literal, NotRequired, Required, Union, get_args, get_origin

import annotated_types as at

from gati.errors import SchemaError
from gati.gtype._plan import children
from gati.gtype.dsl import from_core
from gati.gtype.schema import Schema, copy_core

__all__ = ["core_from_type", "from_type"]

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    None: "null",
    Any: "any",
    object: "any",
}
_SEQUENCES = {list, abc.Sequence, abc.MutableSequence}
_SETS = {set, frozenset, abc.Set, abc.MutableSet}
_MAPPINGS = {dict, abc.Mapping, abc.MutableMapping}
_USAGE_KEYS = ("nullable", "description", "default", "validators")
# Python types sent as JSON strings, and what they convert back to (docs/gtype.md §9).
_DECIMAL_TEXT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_CONVERTED: dict[Any, dict[str, Any]] = {
    uuid.UUID: {"type": "string", "format": "uuid", "convert": "uuid"},
    dt.datetime: {"type": "string", "format": "date-time", "convert": "datetime"},
    dt.date: {"type": "string", "format": "date", "convert": "date"},
    dt.time: {"type": "string", "format": "time", "convert": "time"},
    bytes: {"type": "string", "pattern": _BASE64, "convert": "bytes"},
    decimal.Decimal: {
        "type": "union",
        "members": [
            {"type": "number", "convert": "decimal"},
            {"type": "string", "pattern": _DECIMAL_TEXT, "convert": "decimal"},
        ],
    },
}
_CONTAINER_TYPES = {set: set, abc.Set: frozenset, abc.MutableSet: set, frozenset: frozenset}
_JSON_SCALARS = (str, int, float, bool, type(None))


def from_type(annotation: Any, *, globalns: dict[str, Any] | None = None) -> Schema:
    """The `Schema` for a Python annotation; ``globalns`` resolves a top-level string."""
    return from_core(core_from_type(annotation, globalns=globalns))


def core_from_type(annotation: Any, *, globalns: dict[str, Any] | None = None) -> dict[str, Any]:
    """The core schema (docs/gtype.md §3) for a Python annotation."""
    builder = _Builder(globalns or {})
    root = builder.build(annotation)
    builder.finish(root)
    return root


class _Class:
    """A TypedDict or dataclass met while building: its definition and every use of it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.definition: dict[str, Any] = {}
        self.uses: list[dict[str, Any]] = []  # placeholders reachable from the root, in order


class _Builder:
    def __init__(self, globalns: dict[str, Any]) -> None:
        self.globalns = globalns
        self.classes: dict[Any, _Class] = {}
        self.placeholders: dict[int, _Class] = {}  # id of a placeholder ref → its class
        self.keep: list[dict[str, Any]] = []  # keeps placeholder ids alive and unique

    def build(self, tp: Any) -> dict[str, Any]:
        if isinstance(tp, ForwardRef):
            tp = tp.__forward_arg__
        if isinstance(tp, str):
            return self.build(self.resolve(tp))
        if isinstance(tp, typing.NewType):
            return self.build(tp.__supertype__)
        if tp in (bytearray, memoryview):
            raise SchemaError(f"{_show(tp)} is not JSON data; use bytes (sent as base64) instead")
        if _hashable(tp) and tp in _SCALARS:
            return {"type": _SCALARS[tp]}
        if _hashable(tp) and tp in _CONVERTED:
            converted: dict[str, Any] = copy_core(_CONVERTED[tp])
            return converted
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _enum(tp)
        _refuse_foreign_model(tp)
        if _is_class_schema(tp):
            return self.use_class(tp)
        if _is_namedtuple(tp):
            hints = self.hints(tp)
            items = [self.build(hints.get(name, Any)) for name in tp._fields]
            return {"type": "tuple", "items": items, "convert": tp._make}
        origin, args = get_origin(tp), get_args(tp)
        if origin is typing.Annotated:
            return self.annotated(args[0], args[1:])
        if origin is Literal:
            return _literal(tp, args)
        if origin in (Union, types.UnionType):
            return self.union(args)
        if origin in (Required, NotRequired):
            raise SchemaError(f"{_show(tp)} is only allowed on a TypedDict key")
        return self.container(tp, origin if origin is not None else tp, args)

    def container(self, tp: Any, origin: Any, args: tuple[Any, ...]) -> dict[str, Any]:
        items = args[0] if args else Any
        if origin in _SEQUENCES:
            return {"type": "array", "items": self.build(items)}
        if origin in _SETS:
            made = _CONTAINER_TYPES.get(origin, frozenset)
            return {
                "type": "array",
                "items": self.build(items),
                "unique_items": True,
                "convert": made,
            }
        if origin is tuple:
            if tp in (tuple, typing.Tuple):  # noqa: UP006 - bare, so any length
                return {"type": "array", "items": {"type": "any"}, "convert": tuple}
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.build(args[0]), "convert": tuple}
            fixed = [self.build(a) for a in args if a != ()]  # tuple[()] is the empty tuple
            return {"type": "tuple", "items": fixed, "convert": tuple}
        if origin in _MAPPINGS:
            key, value = (args[0], args[1]) if args else (str, Any)
            if key not in (str, Any):
                raise SchemaError(f"{_show(tp)}: object keys are strings in JSON, not {_show(key)}")
            return {"type": "record", "values": self.build(value)}
        raise SchemaError(f"unsupported annotation: {_show(tp)}")

    def union(self, args: tuple[Any, ...]) -> dict[str, Any]:
        members = [a for a in args if a not in (None, type(None))]
        nullable = len(members) < len(args)
        if len(members) == 1:
            node = self.build(members[0])
        else:
            node = {"type": "union", "members": [self.build(m) for m in members]}
        if nullable:
            node["nullable"] = True
        return node

    def resolve(self, ref: str) -> Any:
        try:
            return eval(ref, dict(self.globalns))
        except (NameError, SyntaxError, AttributeError, TypeError) as exc:
            raise SchemaError(f"cannot resolve forward reference {ref!r}: {exc}") from exc

    def hints(self, cls: Any) -> dict[str, Any]:
        try:
            return typing.get_type_hints(cls, localns={cls.__name__: cls}, include_extras=True)
        except (NameError, SyntaxError, AttributeError, TypeError) as exc:
            raise SchemaError(f"cannot resolve the annotations of {_show(cls)}: {exc}") from exc

    def use_class(self, cls: Any) -> dict[str, Any]:
        """A placeholder ref for one use of ``cls``; `finish` inlines or names it."""
        entry = self.classes.get(cls)
        if entry is None:
            entry = self.classes[cls] = _Class(self.unique_name(cls))
            entry.definition = self.typed_dict(cls) if _is_typeddict(cls) else self.dataclass(cls)
        use = {"type": "ref", "name": entry.name}
        self.placeholders[id(use)] = entry
        self.keep.append(use)
        return use

    def unique_name(self, cls: Any) -> str:
        """The class name; two classes of one name get ``_2``, ``_3``... in order of use."""
        taken = {c.name for c in self.classes.values()}
        name, n = str(cls.__name__), 1
        while name in taken:
            n += 1
            name = f"{cls.__name__}_{n}"
        return name

    def typed_dict(self, cls: Any) -> dict[str, Any]:
        props: dict[str, Any] = {}
        required: list[str] = []
        for key, hint in self.hints(cls).items():
            is_required = key in cls.__required_keys__
            if get_origin(hint) in (Required, NotRequired):  # kept by include_extras
                is_required = get_origin(hint) is Required
                hint = get_args(hint)[0]
            props[key] = self.build(hint)
            if is_required:
                required.append(key)
        return {"type": "object", "properties": props, "required": required}

    def dataclass(self, cls: Any) -> dict[str, Any]:
        hints = self.hints(cls)
        props: dict[str, Any] = {}
        required: list[str] = []
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            node = self.build(hints[field.name])
            if field.default is not dataclasses.MISSING:
                if _is_json(field.default):
                    node["default"] = field.default
            elif field.default_factory is dataclasses.MISSING:
                required.append(field.name)
            props[field.name] = node
        return {"type": "object", "properties": props, "required": required, "convert": cls}

    def annotated(self, inner: Any, metadata: tuple[Any, ...]) -> dict[str, Any]:
        node = self.build(inner)
        for meta in _flatten(metadata):
            node = self.apply(node, meta, inner)
        return node

    def apply(self, node: dict[str, Any], meta: Any, inner: Any) -> dict[str, Any]:
        if isinstance(meta, Schema):
            marker = dict(meta.core())
            return {**node, **marker} if marker["type"] == node["type"] else marker
        if isinstance(meta, at.DocInfo):
            node["description"] = meta.documentation
        elif isinstance(meta, at.Predicate):
            node["validators"] = [*node.get("validators", ()), meta.func]
        elif isinstance(meta, at.BaseMetadata):
            key, value = _constraint(meta, inner)
            _tighten(node, key, value, meta, inner)
        return node  # other metadata is meant for other tools

    def finish(self, root: dict[str, Any]) -> None:
        """Inline classes used once; define the others at their first use, refer elsewhere.

        Uses are counted on the final tree, where a marker may have replaced some.
        """
        self.collect(root)
        for entry in self.classes.values():
            if not entry.uses:
                continue
            first = entry.uses[0]
            usage = {k: first[k] for k in _USAGE_KEYS if k in first}
            first.clear()
            if len(entry.uses) == 1:
                first.update(entry.definition, **usage)
            else:
                named = {**entry.definition, "name": entry.name}
                first.update(
                    {"type": "intersection", "members": [named], **usage} if usage else named
                )

    def collect(self, root: dict[str, Any]) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            entry = self.placeholders.get(id(node))
            if entry is not None:
                entry.uses.append(node)
                if len(entry.uses) == 1:
                    stack.append(entry.definition)
                continue
            stack.extend(reversed([child for _, child in children(node)]))


def _flatten(metadata: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for meta in metadata:
        if isinstance(meta, at.GroupedMetadata):  # Interval, Len: groups of the single bounds
            out.extend(_flatten(tuple(meta)))
        else:
            out.append(meta)
    return out


# annotated-types class, the schema key it sets, the attribute holding the bound
_CONSTRAINTS: tuple[tuple[type[Any], str, str], ...] = (
    (at.Gt, "exclusive_min", "gt"),
    (at.Ge, "min", "ge"),
    (at.Lt, "exclusive_max", "lt"),
    (at.Le, "max", "le"),
    (at.MultipleOf, "multiple_of", "multiple_of"),
    (at.MinLen, "min_length", "min_length"),
    (at.MaxLen, "max_length", "max_length"),
)


def _constraint(meta: Any, inner: Any) -> tuple[str, Any]:
    for cls, key, attr in _CONSTRAINTS:
        if isinstance(meta, cls):
            return key, getattr(meta, attr)
    raise SchemaError(f"Annotated[{_show(inner)}, {meta!r}]: unsupported constraint")


_APPLIES = {
    "string": {"min_length", "max_length"},
    "array": {"min_length", "max_length"},
    "number": {"min", "max", "exclusive_min", "exclusive_max", "multiple_of"},
    "integer": {"min", "max", "exclusive_min", "exclusive_max", "multiple_of"},
}
_LOWER = {"min", "exclusive_min", "min_length", "min_items"}


def _tighten(node: dict[str, Any], key: str, value: Any, meta: Any, inner: Any) -> None:
    if key not in _APPLIES.get(node["type"], ()):
        raise SchemaError(f"Annotated[{_show(inner)}, {meta!r}]: {meta!r} does not apply here")
    if node["type"] == "array":
        key = key.replace("_length", "_items")
    old = node.get(key)
    if old is None or old == value:
        node[key] = value
    elif key == "multiple_of":
        if not (isinstance(old, int) and isinstance(value, int)):
            raise SchemaError(f"Annotated[{_show(inner)}, ...]: two different multiple_of bounds")
        node[key] = math.lcm(old, value)
    else:
        node[key] = max(old, value) if key in _LOWER else min(old, value)


def _enum(cls: type[enum.Enum]) -> dict[str, Any]:
    values = [m.value for m in cls]
    if not values or not all(isinstance(v, _JSON_SCALARS) for v in values):
        raise SchemaError(f"enum {_show(cls)}: values must be str, int, float, bool or None")
    return {"type": "enum", "values": values, "enum_class": cls}


def _literal(tp: Any, args: tuple[Any, ...]) -> dict[str, Any]:
    for value in args:
        if isinstance(value, enum.Enum) or not isinstance(value, str | int | bool | None):
            raise SchemaError(f"{_show(tp)}: literal values must be str, int, bool or None")
    return {"type": "literal", "values": list(args)}


def _is_typeddict(tp: Any) -> bool:
    """``typing`` and ``typing_extensions`` TypedDicts alike (pydantic wants the latter < 3.12)."""
    keys = ("__required_keys__", "__optional_keys__", "__total__")
    return isinstance(tp, type) and issubclass(tp, dict) and all(hasattr(tp, k) for k in keys)


def _is_namedtuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def _refuse_foreign_model(tp: Any) -> None:
    """pydantic models and msgspec Structs validate themselves: say what gati reads instead."""
    if not isinstance(tp, type):
        return
    for base in tp.__mro__:
        library = base.__module__.partition(".")[0]
        if (library, base.__name__) in (("pydantic", "BaseModel"), ("msgspec", "Struct")):
            kind = "pydantic model" if library == "pydantic" else "msgspec Struct"
            raise SchemaError(
                f"{_show(tp)} is a {kind}; gt.from_type reads dataclasses, TypedDicts and "
                "NamedTuples: declare the same fields on a @dataclass (Validator.convert builds "
                "instances of it) or write the schema with gt.object(...)"
            )


def _is_class_schema(tp: Any) -> bool:
    return _is_typeddict(tp) or (isinstance(tp, type) and dataclasses.is_dataclass(tp))


def _is_json(value: Any) -> bool:
    if isinstance(value, list):
        return all(map(_is_json, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return isinstance(value, _JSON_SCALARS) and not isinstance(value, enum.Enum)


def _hashable(tp: Any) -> bool:
    try:
        hash(tp)
    except TypeError:
        return False
    return True


def _show(tp: Any) -> str:
    if isinstance(tp, type) and not get_args(tp):
        return tp.__qualname__
    return repr(tp).replace("typing.", "")
