"""Users: discovered as /users (index.py serves its folder)."""

from typing import Any

from gati import gt

User = gt.object({"id": gt.integer(), "name": gt.string()}, name="User")
NewUser = gt.object({"name": gt.string(min_length=1)}, name="NewUser")


async def get(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """List users."""
    return [{"id": 1, "name": "Ada"}]


async def post(req: Any, res: Any, lctx: Any, gctx: Any) -> User:
    """Create a user.

    @roles admin, editor
    @rate-limit 100/minute
    @timeout 5s
    @version 2025-11-01
    """
    await gctx.modules.db.insert(req.validated)
    res.status(201)
    return {"id": 2, **req.validated}


def helper(value: int) -> int:
    """Not a handler: its name is not a method."""
    return value + 1
