"""Handlers registered by decorators, hooks registered in the file."""

from typing import Any

from gati import APIKeyAuth, App, Principal, gt

app = App(auth=APIKeyAuth({"key": Principal("p", ["admin"])}))
Item = gt.object({"name": gt.string()}, name="Item")
Stored = gt.object({"id": gt.integer(), "item": Item}, name="Stored")


async def check(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """A route hook."""


@app.hook("before")
async def audit(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """A global before hook."""


async def finish(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """A global after hook, registered by a call."""


app.hook("after", finish)


@app.post("/items", request=Item, response=Stored, hooks=[check], roles=["admin"], tags=["items"])
async def create_item(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Create an item."""
    return {"id": 1, "item": req.validated}


@app.route("GET", "/items/{id:int}", version="2025-01-01", rate_limit="5/second", id="items.get")
def get_item(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"id": req.path_params["id"], "item": {"name": "x"}}
