"""The app the browser test serves through uvicorn: a greeting route with two Timescape versions
behind a named route hook that puts the greeting into ``lctx.state``, which both versions echo
(so a state edited at a debug gate shows in the response), a route whose old version is served
through a transformer, and a plain unversioned route.

``PLAYGROUND_TOKEN`` in the environment turns the token on.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from gati import App, Hook

V1, V2 = "2025-01-01", "2025-06-01"


async def greeting(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """Choose the greeting (a gate after this hook may change it)."""
    lctx.state.set("greeting", "hello")


async def flaky_lookup(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """Look a profile up (a few ms); fail the first attempt of a ``?flaky`` request, so its
    timeline shows a retry."""
    await asyncio.sleep(0.003)
    if "flaky" in req.query and lctx.state.get("looked_up") is None:
        lctx.state.set("looked_up", "after a retry")
        raise ConnectionError("profile store not reachable")


def make_app() -> App:
    """A fresh app with the Playground on."""
    app = App(playground=True, playground_token=os.environ.get("PLAYGROUND_TOKEN") or None)
    hooks = [
        Hook(greeting, kind="before", level="route", id="greeting"),
        Hook(flaky_lookup, kind="before", level="route", id="lookup", retries=1, backoff=0.002),
    ]

    @app.get("/greet/{name}", version=V1, hooks=hooks)
    async def greet_v1(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(0.002)
        return {"message": f"{lctx.state.get('greeting')}, {req.path_params['name']}"}

    @app.get("/greet/{name}", version=V2, hooks=hooks)
    async def greet_v2(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(0.002)
        return {"greeting": lctx.state.get("greeting"), "name": req.path_params["name"]}

    @app.get("/about")
    async def about(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"app": "greeter"}

    @app.get("/profile/{name}", version=V2)
    async def profile(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"first_name": req.path_params["name"], "last_name": "Lovelace"}

    @app.transformer("/profile/{name}", from_=V1, to=V2)
    class JoinName:
        """Before 2025-06-01 a profile had one ``name``."""

        def request(self, req: Any, lctx: Any) -> None: ...

        def response(self, res: Any, lctx: Any) -> None:
            res.body["name"] = f"{res.body.pop('first_name')} {res.body.pop('last_name')}"

    app.timescape.deprecate(V1, sunset="2027-06-01")
    return app


app = make_app()
