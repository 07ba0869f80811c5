"""The app the Timescape end-to-end tests serve with uvicorn: the demo (bookstore with the
versioned ``/customers``), plus ``/reports`` with two live, incompatible versions and admin
routes that decommission a version or mark one unhealthy while the server runs."""

from __future__ import annotations

from typing import Any

from examples.bookstore import create_app

from gati import gt

app = create_app()


@app.get("/reports", version="2025-01-01", response=gt.object({"total": gt.integer()}))
async def reports_v1(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"total": 3}


@app.get("/reports", version="2025-06-01", response=gt.object({"sum": gt.integer()}))
async def reports_v2(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"sum": 3}


@app.post("/admin/{action}/{version}")
async def admin(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    action, version = req.path_params["action"], req.path_params["version"]
    if action == "decommission":
        gctx.timescape.decommission(version)
    elif action == "unhealthy":
        gctx.timescape.mark_unhealthy("GET", "/reports", version)
    else:
        gctx.timescape.mark_healthy("GET", "/reports", version)
    return gctx.timescape.usage()
