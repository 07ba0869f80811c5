"""gati: an ASGI framework with typed schemas, request contexts and an ordered hook lifecycle."""

from gati._backend import backend
from gati.errors import GatiError, SchemaError, ValidationError
from gati.gtype import gt
from gati.gtype.paths import format_path
from gati.gtype.schema import Schema
from gati.gtype.validator import Validator

__all__ = [
    "GatiError",
    "Schema",
    "SchemaError",
    "ValidationError",
    "Validator",
    "backend",
    "format_path",
    "gt",
]
__version__ = "0.1.0"
