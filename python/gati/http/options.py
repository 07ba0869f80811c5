"""The keyword options of ``app.route``/``app.get``… and ``Router``'s, typed once, so mypy
catches ``request=123`` or ``timeout="soon"`` on every decorator."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict

from gati.gtype.schema import Schema
from gati.http.validation import Validator

if TYPE_CHECKING:
    from gati.http.forms import FormLimits
    from gati.lifecycle.hooks import Hook

SchemaLike: TypeAlias = Schema | Validator

__all__ = ["RouteOptions", "SchemaLike", "check_options"]


class RouteOptions(TypedDict, total=False):
    """What ``app.get(path, **options)`` accepts (docs/http.md, "Registering handlers")."""

    request: SchemaLike | None
    response: SchemaLike | None
    query: SchemaLike | None
    params: SchemaLike | None
    headers: SchemaLike | None
    cookies: SchemaLike | None
    form_limits: FormLimits | None
    roles: Sequence[str] | None
    rate_limit: str | bool | None
    timeout: float | EllipsisType | None
    version: str | None
    pin_versions: bool
    tags: Sequence[str]
    hooks: Sequence[Hook | Callable[..., Any]]
    max_body_size: int | None
    id: str | None
    summary: str | None
    deprecated: bool
    responses: Mapping[int, Any] | None
    auth: Any
    burst: int | None
    cost: int
    key: Callable[[Any, Any], str] | None
    on_store_error: Literal["allow", "deny"]


_KNOWN = frozenset(RouteOptions.__optional_keys__)


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse an option ``RouteOptions`` does not name (a typo must not pass silently)."""
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        raise TypeError(f"unknown route option(s) {unknown}; the options are {sorted(_KNOWN)}")
