"""The ``gt`` namespace: ``from gati import gt`` then ``gt.object({...})``, ``gt.compile(...)``."""

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

__all__ = [
    "Result",
    "Schema",
    "any",
    "array",
    "boolean",
    "compile",
    "enum",
    "from_core",
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
    "tuple",
    "union",
    "validate",
]
