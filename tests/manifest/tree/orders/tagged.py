"""Handlers placed by docstring tags, not by the file name."""

from typing import Any


async def cancel(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Cancel an order.

    @path /orders/{order_id}/cancel
    @method POST
    @timeout 250ms
    """
    return {"cancelled": True}
