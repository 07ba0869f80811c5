"""The bookstore with the Playground on (``make demo`` serves this on its loopback bind):
open http://127.0.0.1:8000/_gati/ next to it.

A global hook writes ``lctx.state`` (what the Playground shows at each hook boundary and lets
you edit at a debug gate), ``GET /whoami`` answers with that state, and ``/customers/{id}``
has two versions (2025-01-01 through a transformer, 2025-06-01) to replay and diff.
"""

from __future__ import annotations

from typing import Any

from examples.bookstore import create_app
from gati import App


def create_playground_app() -> App:
    """The bookstore, recorded by the Playground, plus a route that shows its state."""
    app = create_app(playground=True)

    @app.hook("before", id="greet")
    async def greet(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Note who is asking, for the handlers (and the Playground's state view)."""
        lctx.state.set("visitor", req.headers.get("x-visitor", "guest"))
        lctx.state.set("path", req.path)

    @app.get("/whoami", tags=["meta"])
    async def whoami(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        """The request's state as the hooks left it (edit it at a gate before the handler)."""
        return dict(lctx.state.items())

    return app


app = create_playground_app()
