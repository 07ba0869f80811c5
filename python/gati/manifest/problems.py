"""The problem+json responses (RFC 9457) a route can produce, and when it can produce each.

The HTTP layer answers these statuses itself (docs/http.md); this module only says, from what
a route declares, which of them its OpenAPI operation lists, so clients and checkers such as
schemathesis know every status they may meet.
"""

from __future__ import annotations

from typing import Any

from gati.http.errors import title_for
from gati.manifest.operations import Operation

__all__ = ["PROBLEM_SCHEMAS", "problem_responses", "problem_statuses"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem detail, as every gati error response carries.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "request_id": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "Validation errors (400 only), in document order.",
                "items": {"$ref": "#/components/schemas/ValidationErrorItem"},
            },
        },
        "required": ["type", "title", "status", "detail", "request_id"],
    },
    "ValidationErrorItem": {
        "type": "object",
        "properties": {
            "path": {"type": "array", "items": {"type": ["string", "integer"]}},
            "code": {"type": "string"},
            "expected": {"type": "string"},
            "actual": {},
            "message": {"type": "string"},
            "location": {"type": "string", "description": "body, query, path, header, …"},
        },
        "required": ["path", "code", "message"],
    },
}

_WHY = {
    400: "The request is malformed or failed validation (`errors` lists each failure).",
    401: "Credentials are missing or invalid.",
    403: "The caller lacks a required role.",
    404: "Nothing matches this path (a path parameter of the wrong type, or no such item).",
    413: "The request body exceeds the route's size limit.",
    415: "The body is not JSON (`application/json` or `+json`).",
    429: "The rate limit is exhausted; retry after `Retry-After` seconds.",
    500: "The server failed (or the response failed its schema).",
    504: "The handler did not finish within its timeout.",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    429: {
        "Retry-After": {"schema": {"type": "integer", "minimum": 0}},
        "RateLimit": {"schema": {"type": "string"}},
    },
}


def problem_statuses(op: Operation) -> list[int]:
    """The error statuses gati itself may answer ``op`` with, ascending."""
    statuses = {400, 500}
    if op.roles or op.auth:
        statuses |= {401, 403}
    if op.path_params:
        statuses.add(404)
    if op.request is not None or op.method in _BODY_METHODS:
        statuses.add(413)
    if op.request is not None:
        statuses.add(415)
    if op.rate_limit:
        statuses.add(429)
    if op.timeout is not None:
        statuses.add(504)
    return sorted(statuses)


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """One problem+json response object."""
    out: dict[str, Any] = {
        "description": description or _WHY.get(status) or title_for(status),
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if status in _HEADERS:
        out["headers"] = _HEADERS[status]
    return out


def problem_responses(op: Operation) -> dict[str, Any]:
    """``{"400": {...}, ...}`` for every status of ``problem_statuses(op)``."""
    return {str(status): problem_response(status) for status in problem_statuses(op)}
