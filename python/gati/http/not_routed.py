"""Requests no route takes (404, 405, a ``Content-Length`` over the limit or invalid, or a
failure of ingress or routing itself, a 500) still go through the lifecycle: a stand-in route
whose handler raises the routing error. Global hooks run for them as for any request, and after
hooks see their problem response, as middleware would (docs/http.md, "Which hooks run when").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gati.http.route import Route
from gati.lifecycle.hooks import Hook

__all__ = ["NOT_ROUTED_ID", "NotRouted"]

NOT_ROUTED_ID = "gati.not_routed"
_ERROR_KEY = "gati.routing_error"


async def _raise_routing_error(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    raise req.scope[_ERROR_KEY]


class NotRouted:
    """The stand-in route (global hooks only, no timeout, no body read)."""

    __slots__ = ("route",)

    def __init__(self, max_body_size: int) -> None:
        self.route = Route(
            "GET",
            "*",
            _raise_routing_error,
            timeout=None,
            max_body_size=max_body_size,
            handler_id=NOT_ROUTED_ID,
        )

    def replan(self, global_hooks: Sequence[Hook]) -> None:
        self.route.replan(global_hooks)

    def failing(self, scope: dict[str, Any], error: Exception) -> tuple[Route, dict[str, Any]]:
        """The stand-in route and its (empty) parameters, ``error`` kept for its handler."""
        scope[_ERROR_KEY] = error
        return self.route, {}
