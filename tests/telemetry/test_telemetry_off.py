"""Telemetry off or absent costs nothing: no opentelemetry import (requests, module calls and
fabric messages included), no step in any plan, nothing wrapped."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

from gati import App

PROBE = textwrap.dedent(
    """
    import sys
    import gati
    from gati import gt
    from gati.modules import Method, ModuleManifest
    from gati.testing import TestClient

    app = gati.App()

    class Clock:
        async def now(self):
            return "12:00"

    now = Method(input=gt.object({}), output=gt.string())
    app.module(ModuleManifest("clock", methods={"now": now}), Clock())
    got = []

    @app.get("/x")
    async def x(req, res, lctx, gctx):
        gctx.metrics.counter("calls", 1)
        await gctx.subscribe("t", got.append)
        await gctx.publish("t", await gctx.modules.clock.now())
        res.text("ok")

    assert TestClient(app).get("/x").text == "ok"
    assert [m.payload for m in got] in ([], ["12:00"])
    loaded = sorted(m for m in sys.modules if m.startswith(("opentelemetry", "prometheus_client")))
    print(loaded)
    """
)


def test_import_gati_and_an_app_without_telemetry_load_no_opentelemetry() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_an_app_without_telemetry_has_no_step_in_its_plans() -> None:
    app = App()

    @app.get("/x")
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        pass

    assert app.steps == ()
    assert all(route.plan.before == () for _, _, route in app.routes.routes())
    assert app._not_routed.route.plan.before == ()
