"""The ``gt`` namespace: ``from gati import gt`` then ``gt.object({...})``, ``gt.compile(...)``."""

from gati.gtype.diff import diff
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
from gati.gtype.from_type import from_type
from gati.gtype.jsonschema import to_json_schema
from gati.gtype.schema import Schema
from gati.gtype.validator import Result, validate
from gati.gtype.validator import compile_schema as compile

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
