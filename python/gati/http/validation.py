"""Validation glue: schemas compiled once per route; body, query, path params and response
checked around the handler (DESIGN §7). Request failures are 400 problem+json listing the
errors; a response that fails its schema is a 500 and its errors are logged.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import Any, Protocol

from starlette.datastructures import QueryParams

from gati._tables import JSON_INTEGER, JSON_NUMBER
from gati.errors import ValidationError
from gati.http.errors import HTTPError
from gati.http.routing import parse_pattern

__all__ = [
    "RequestInvalid",
    "ResponseInvalid",
    "Validator",
    "check_parts",
    "coerce_query",
    "coerce_scalar",
    "compile_schema",
    "converts",
    "is_json_media",
    "query_coercions",
]

log = logging.getLogger("gati.http")
# Python's own bound on int(str) (sys.get_int_max_str_digits): a longer query integer stays text.
_MAX_INT_DIGITS = 4300


class Validator(Protocol):
    def validate(self, value: Any, /) -> Any: ...
    def validate_json(self, data: bytes | str, /) -> Any: ...
    def convert(self, value: Any, /) -> Any: ...
    def dump(self, value: Any, /) -> Any: ...


def compile_schema(schema: Any) -> Validator | None:
    """A compiled validator for a GType schema (or an already compiled one); ``None`` stays."""
    if schema is None:
        return None
    if hasattr(schema, "validate_json"):
        validator: Validator = schema
        return validator
    from gati.gtype import gt  # GType is imported only when a route declares a schema

    compiled: Validator = gt.compile(schema)
    return compiled


def converts(schema: Any) -> bool:
    """Whether ``Validator.convert`` can build anything but the validated value itself.

    Routes convert a request part only then, so a schema of plain JSON costs one validation.
    A compiled validator that does not say its schema is assumed to convert.
    """
    if schema is None:
        return False
    if hasattr(schema, "validate_json"):
        schema = getattr(schema, "schema", None)
        if not hasattr(schema, "core"):
            return True
    from gati.gtype._plan import children

    stack = [schema.core()]
    while stack:
        node = stack.pop()
        if node.get("convert") is not None or node.get("enum_class") is not None:
            return True
        if node["type"] == "object" and any("default" in p for p in node["properties"].values()):
            return True
        stack.extend(child for _, child in children(node))
    return False


def is_json_media(content_type: bytes | None) -> bool:
    """``application/json`` or any ``+json`` media type, parameters ignored."""
    if content_type is None:
        return False
    if content_type == b"application/json":  # the usual header: no split, strip or lower
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


class RequestInvalid(ValidationError):
    """A request part (``location``: ``body``, ``query``, ``path``, ``header`` or ``cookie``)
    failed its schema: 400.

    A ``ValidationError``, so the lifecycle reports it as a ``validation.error`` event; each
    error dict gains ``location``.
    """

    __slots__ = ("location",)

    def __init__(self, exc: ValidationError, location: str) -> None:
        super().__init__([{**error, "location": location} for error in exc.errors()])
        self.location = location

    def problem(self) -> HTTPError:
        """The 400 problem listing the errors."""
        return HTTPError(
            400, f"request {self.location} failed validation", extra={"errors": self.errors()}
        )


class ResponseInvalid(ValidationError):
    """The handler's response failed the route's response schema: a 500, errors logged."""

    __slots__ = ()

    def __init__(self, handler_id: str, exc: ValidationError) -> None:
        super().__init__(exc.errors())
        log.error("response of %s failed validation: %s", handler_id, exc.errors())


Coercion = tuple[str, str]  # (property name, "integer" | "number" | "boolean" | "array" | "string")


def query_coercions(schema: Any) -> tuple[Coercion, ...]:
    """How to turn query strings into the types an object schema's properties declare.

    Query values are text; a property typed integer, number or boolean is converted (when
    the text parses), an array property collects every value of the key, the rest stay text.
    """
    core = schema.core() if hasattr(schema, "core") else None
    if not isinstance(core, Mapping) or core.get("type") != "object":
        return ()
    return tuple(
        (name, str(node.get("type", "string")))
        for name, node in core.get("properties", {}).items()
        if isinstance(node, Mapping)
    )


# Kinds that never accept the mapping a query string or a path's parameters are validated as.
_NOT_A_MAPPING = frozenset(
    ("string", "number", "integer", "boolean", "null", "literal", "enum", "array", "tuple")
)


def _core(schema: Any) -> Mapping[str, Any] | None:
    """The schema's root node, when it (or the compiled validator's schema) says it."""
    if not hasattr(schema, "core"):
        schema = getattr(schema, "schema", None)
    core = schema.core() if hasattr(schema, "core") else None
    return core if isinstance(core, Mapping) else None


def check_parts(pattern: str, query: Any, params: Any) -> None:
    """Refuse a ``query=``/``params=`` schema that fails every request: one that is no
    mapping, or (``params=``) an object requiring a property the path does not name, or
    forbidding extra properties where the path names one it lacks."""
    for option, schema in (("query", query), ("params", params)):
        core = None if schema is None else _core(schema)
        if core is not None and core.get("type") in _NOT_A_MAPPING:
            raise ValueError(
                f"{option}= is validated as a mapping of names to values; it takes an object "
                f"schema (gt.object({{...}})), not {core.get('type')}"
            )
    core = None if params is None else _core(params)
    if core is None or core.get("type") != "object":
        return
    names = {name for kind, name in parse_pattern(pattern) if kind != "static"}
    missing = [name for name in core.get("required", ()) if name not in names]
    if missing:
        raise ValueError(
            f"params= requires {missing}, which {pattern!r} does not name; its path parameters "
            f"are {sorted(names)}"
        )
    declared = core.get("properties", {})
    if core.get("extra") == "forbid" and any(name not in declared for name in names):
        raise ValueError(
            f"params= forbids extra properties but does not declare "
            f"{sorted(names - set(declared))} of {pattern!r}"
        )


_TRUE = {"true": True, "1": True, "false": False, "0": False}
_JSON_INTEGER = re.compile(JSON_INTEGER)
_JSON_NUMBER = re.compile(JSON_NUMBER)


def coerce_scalar(kind: str, text: str) -> Any:
    """``text`` as the declared kind when it is a JSON literal of that kind (a finite number
    for ``number``, at most 4,300 digits for ``integer``), else the text itself, which then
    fails validation with the schema's own error."""
    if kind == "integer":
        if _JSON_INTEGER.match(text) is None or len(text) > _MAX_INT_DIGITS:
            return text
        return int(text)
    if kind == "number":
        if _JSON_NUMBER.match(text) is None:
            return text
        number = float(text)
        return number if math.isfinite(number) else text
    if kind == "boolean":
        return _TRUE.get(text.lower(), text)
    return text


def coerce_query(query: QueryParams, coercions: tuple[Coercion, ...]) -> dict[str, Any]:
    """The query as a dict for validation: declared properties converted, others as text."""
    values: dict[str, Any] = dict(query.items())
    for name, kind in coercions:
        if kind == "array":
            if name in query:
                values[name] = query.getlist(name)
        elif name in values:
            values[name] = coerce_scalar(kind, values[name])
    return values
