"""One user: discovered as /users/{id:int}."""

from typing import Any


async def get(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Fetch one user, through three modules."""
    gctx.modules["cache"].touch(req.path_params["id"])
    gctx.get_module("mailer")
    return gctx.modules.db.find(req.path_params["id"])


def delete(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """Delete a user (sync)."""
    res.status(204)
