"""HTTP: ingress, request/response objects, routing, validation glue and problem+json errors."""

from gati.http.errors import HTTPError
from gati.http.request import Request
from gati.http.response import Response

__all__ = ["HTTPError", "Request", "Response"]
