"""``current_lctx()``: the Local Context of the running request, through ``contextvars``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from gati.errors import NoRequestContext

if TYPE_CHECKING:
    from gati.context.local import LocalContext

__all__ = ["CURRENT", "current_lctx"]

CURRENT: ContextVar[LocalContext] = ContextVar("gati_lctx")


def current_lctx() -> LocalContext:
    """The Local Context of the request this code runs for; ``NoRequestContext`` outside one."""
    try:
        return CURRENT.get()
    except LookupError:
        raise NoRequestContext("current_lctx() called outside a request") from None
