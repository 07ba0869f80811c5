"""``/healthz`` and ``/readyz`` (DESIGN §5): liveness from the Global Context's health checks,
readiness from those checks and the lifespan state together.

Both answer with the report of ``gctx.health()``; ``/readyz`` adds ``lifespan``. Liveness is 503
only when a critical check fails; readiness is also 503 while start-up runs, after it failed, and
from the moment shutdown begins, so a load balancer stops sending traffic before the app stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

__all__ = ["LifespanState", "liveness", "readiness"]

LifespanState = Literal["idle", "starting", "running", "failed", "stopping", "stopped"]

# "idle": the server never sent lifespan events (allowed by ASGI), so nothing is pending.
_READY: frozenset[str] = frozenset({"idle", "running"})

Handler = Callable[[Any, Any, Any, Any], Awaitable[None]]


async def liveness(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """200 while the app is healthy or degraded, 503 when a critical check fails."""
    report = await gctx.health()
    res.status(503 if report["status"] == "unhealthy" else 200).json(report)


def readiness(state: Callable[[], LifespanState]) -> Handler:
    """A ``/readyz`` handler reading the app's lifespan state through ``state()``."""

    async def readyz(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """200 once start-up completed and while healthy; 503 otherwise."""
        report = await gctx.health()
        report["lifespan"] = now = state()
        ready = now in _READY and report["status"] != "unhealthy"
        res.status(200 if ready else 503).json(report)

    return readyz
