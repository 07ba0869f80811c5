"""gati: an ASGI framework with typed schemas, per-request contexts and an ordered hook lifecycle."""

from gati._backend import backend
from gati.app import App
from gati.errors import GatiError, SchemaError, ValidationError
from gati.gtype.paths import format_path
from gati.http import HTTPError, Request, Response

__all__ = [
    "App",
    "GatiError",
    "HTTPError",
    "Request",
    "Response",
    "SchemaError",
    "ValidationError",
    "backend",
    "format_path",
]
__version__ = "0.1.0"
