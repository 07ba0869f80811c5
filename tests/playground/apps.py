"""The app the Playground tests look at: a hook writing state, a route with two versions,
a JSON POST route, a secret, and a route that reads the state a gate may edit."""

from __future__ import annotations

from typing import Any

from gati import App

V1, V2 = "2025-01-01", "2025-06-01"
SECRET = "s3cr3t-value-42"


def make_app(**options: Any) -> App:
    """A fresh app with the Playground on (``options`` go to ``App``)."""
    options.setdefault("playground", True)
    app = App(secrets=[{"api_key": SECRET}], **options)

    @app.hook("before", id="tag_user")
    async def tag_user(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.state.set("user", req.headers.get("x-user", "anonymous"))

    @app.get("/items/{id:int}", version=V1)
    async def item_v1(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["id"], "user": lctx.state.get("user")}

    @app.get("/items/{id:int}", version=V2)
    async def item_v2(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["id"], "name": f"item {req.path_params['id']}"}

    @app.post("/echo")
    async def echo(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        key = await gctx.secrets.get("api_key")
        return {"got": await req.json(), "key": key.get(), "state": dict(lctx.state.items())}

    @app.get("/state")
    async def state(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return dict(lctx.state.items())

    return app
