"""The ``gt`` namespace: ``from gati import gt`` then ``gt.object({...})``, ``gt.compile(...)``.

``gt.diff``, ``gt.from_type`` and ``gt.to_json_schema`` are tools no request needs: their
modules (and ``annotated_types``) are imported on first use, which keeps ``import gati`` short.
"""

import importlib
from typing import TYPE_CHECKING, Any

from gati.gtype.dsl import any_ as any
from gati.gtype.dsl import (
    array,
    boolean,
    enum,
    from_core,
    integer,
    intersection,
    literal,
    null,
    number,
    optional,
    record,
    ref,
    string,
    union,
)
from gati.gtype.dsl import object_ as object
from gati.gtype.dsl import tuple_ as tuple
from gati.gtype.schema import Schema
from gati.gtype.validator import Result, validate
from gati.gtype.validator import compile_schema as compile

if TYPE_CHECKING:
    from gati.gtype.diff import diff
    from gati.gtype.from_type import from_type
    from gati.gtype.jsonschema import to_json_schema

_ON_FIRST_USE = {
    "diff": "gati.gtype.diff",
    "from_type": "gati.gtype.from_type",
    "to_json_schema": "gati.gtype.jsonschema",
}

__all__ = [
    "Result",
    "Schema",
    "any",
    "array",
    "boolean",
    "compile",
    "diff",
    "enum",
    "from_core",
    "from_type",
    "integer",
    "intersection",
    "literal",
    "null",
    "number",
    "object",
    "optional",
    "record",
    "ref",
    "string",
    "to_json_schema",
    "tuple",
    "union",
    "validate",
]


def __getattr__(name: str) -> Any:
    """Import one of the ``_ON_FIRST_USE`` tools when it is first asked for."""
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
