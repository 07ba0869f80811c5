"""Typed headers and cookies: ``headers=`` / ``cookies=`` object schemas on a route, checked
like ``query=`` before the handler (400 with ``location: header`` or ``cookie``).

Each declared property is read from the request under its own name: case-insensitively for
headers, with ``_`` standing for ``-`` (``x_api_key`` reads ``X-API-Key``, as FastAPI does);
cookies by their exact name. Only declared names are passed to the schema, and values typed
integer, number or boolean are converted from text first. The results are
``req.headers_validated`` and ``req.cookies_validated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gati.errors import ValidationError
from gati.http.validation import (
    Coercion,
    RequestInvalid,
    Validator,
    coerce_scalar,
    compile_schema,
    query_coercions,
)

__all__ = ["HeaderParams", "header_params"]


class HeaderParams:
    """One request part (``header`` or ``cookie``): its validator and declared names."""

    __slots__ = ("coercions", "location", "validator")

    def __init__(
        self, location: str, validator: Validator, coercions: tuple[Coercion, ...]
    ) -> None:
        self.location = location
        self.validator = validator
        self.coercions = coercions

    def check(self, req: Any) -> None:
        """Validate this part of ``req`` and keep the result on it."""
        if self.location == "header":
            source: Mapping[str, str] = req.headers
            lookup = [(name, name.lower().replace("_", "-")) for name, _ in self.coercions]
        else:
            source = req.cookies
            lookup = [(name, name) for name, _ in self.coercions]
        kinds = dict(self.coercions)
        values = {
            name: coerce_scalar(kinds[name], source[key]) for name, key in lookup if key in source
        }
        try:
            result = self.validator.validate(values)
        except ValidationError as exc:
            raise RequestInvalid(exc, self.location) from None
        if self.location == "header":
            req._headers_validated = result
        else:
            req._cookies_validated = result


def header_params(headers: Any, cookies: Any) -> tuple[HeaderParams, ...]:
    """The route's header and cookie checks (empty when it declares neither)."""
    parts = []
    for location, schema in (("header", headers), ("cookie", cookies)):
        validator = compile_schema(schema)
        if validator is not None:
            coercions = query_coercions(schema)
            if not coercions:
                raise ValueError(f"{location}s= takes an object schema with properties")
            parts.append(HeaderParams(location, validator, coercions))
    return tuple(parts)
