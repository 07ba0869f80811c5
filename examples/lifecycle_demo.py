"""The hook lifecycle without HTTP: hooks, a catch hook that answers, events and a snapshot.

Run: ``.venv/bin/python examples/lifecycle_demo.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gati import GlobalContext, Hook, LocalContext, Secret
from gati.context.ids import new_request_id
from gati.lifecycle import Emitter, Orchestrator, plan_route


class Response:
    """A stand-in for the app's response: ``json`` writes and marks it written."""

    def __init__(self) -> None:
        self.written = False
        self.status = 200
        self.body: Any = None

    def json(self, body: Any, status: int = 200) -> None:
        self.body, self.status, self.written = body, status, True


async def audit(req: Any, res: Any, lctx: LocalContext, gctx: GlobalContext) -> None:
    lctx.state.set("api_key", Secret(req.get("key")))
    lctx.log("audit", path=lctx.meta.path)


def problem(exc: Exception, req: Any, res: Response, lctx: LocalContext, gctx: Any) -> None:
    res.json({"title": "bad request", "detail": str(exc)}, status=400)


async def handler(req: Any, res: Response, lctx: LocalContext, gctx: GlobalContext) -> Any:
    if req.get("n", 0) < 0:
        raise ValueError("n must not be negative")
    lctx.state.set("result", {"double": req["n"] * 2})
    res.json(lctx.state.get("result"))


async def main() -> None:
    gctx = GlobalContext({"service": "demo"})
    emitter = Emitter()
    emitter.subscribe(lambda ev: print(f"  {ev['type']:<14} {ev.get('hook_id', '')}"))
    orch = Orchestrator(gctx, emitter)
    plan = plan_route([Hook(audit), Hook(problem, kind="catch")])
    for req in ({"n": 21, "key": "k-123"}, {"n": -1, "key": "k-456"}):
        res, lctx = Response(), LocalContext(new_request_id(), path="/double")
        print(f"request {req}")
        await orch.run(plan, handler, req, res, lctx)
        print(f"  -> {res.status} {res.body}; phase {lctx.phase}")
        print(f"  snapshot: {lctx.snapshot().to_json()}")


if __name__ == "__main__":
    asyncio.run(main())
