"""gati: an ASGI framework with typed schemas, request contexts and an ordered hook lifecycle."""

from gati._backend import backend
from gati.errors import GatiError, SchemaError, ValidationError
from gati.gtype.paths import format_path

__all__ = ["GatiError", "SchemaError", "ValidationError", "backend", "format_path"]
__version__ = "0.1.0"
