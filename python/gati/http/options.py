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

__all__ = ["RouteOptions", "SchemaLike", "check_names", "check_options", "check_timeout"]


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
    """Refuse an option ``RouteOptions`` does not name (a typo must not pass silently), and a
    value that could only fail, or do nothing, later."""
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        raise TypeError(f"unknown route option(s) {unknown}; the options are {sorted(_KNOWN)}")
    if "tags" in options:
        check_names(options["tags"], "tags")
    hooks = options.get("hooks", ())
    if callable(hooks) or isinstance(hooks, str):
        raise TypeError(f"hooks= takes a list of hooks, not {hooks!r}: hooks=[{_name(hooks)}]")
    timeout = options.get("timeout", ...)
    if timeout is not ...:
        check_timeout(timeout, "timeout")
    size = options.get("max_body_size")
    if size is not None and type(size) is not int:
        raise TypeError(f"max_body_size must be an int (bytes) or None, not {size!r}")
    handler_id = options.get("id")
    if handler_id is not None and (not isinstance(handler_id, str) or not handler_id):
        raise ValueError(f"id= must be a non-empty string, not {handler_id!r}")
    if options.get("pin_versions") and options.get("version") is None:
        raise ValueError("pin_versions=True needs version=: it pins each version of a route")


def check_names(names: Any, option: str) -> None:
    """``tags=``: a list of strings (one string would be split into its characters)."""
    if isinstance(names, str):
        raise TypeError(f"{option}= takes a list of names, not one string: {option}=[{names!r}]")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{option}= takes strings, not {name!r}")


def check_timeout(timeout: Any, option: str) -> None:
    """A timeout option: a positive number of seconds, or ``None`` for none."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"{option} must be a number of seconds or None, not {timeout!r}")
    if not timeout > 0:
        raise ValueError(f"{option} must be a positive number of seconds or None, not {timeout!r}")


def _name(obj: Any) -> str:
    return getattr(obj, "__name__", None) or repr(obj)
