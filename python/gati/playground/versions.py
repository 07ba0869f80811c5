"""The versions view: each route's Timescape timeline, read from ``app.timescape``, with the
requests the Playground recorded per version (its traffic since the app started)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gati.playground.core import Playground

__all__ = ["versions_view"]


def versions_view(pg: Playground) -> dict[str, Any]:
    """``{"routes": [{"route", "versions": [...]}, ...]}`` (PLAYGROUND_API.md, ``GET versions``);
    unversioned routes have no versions."""
    ts = pg.app.timescape
    versioned = set(ts.routes())
    out = []
    for method, pattern, entry in pg.app.routes.routes():
        if (getattr(entry, "handler_id", None) or "").startswith("gati."):
            continue  # built-in routes (health, docs)
        versions = []
        if (method, pattern) in versioned:
            for info in ts.versions(method, pattern):
                hop = info.transformer
                versions.append(
                    {
                        "version": info.version,
                        "implementation": info.handler_id,
                        "transformers": [] if hop is None else [f"{hop.from_} → {hop.to}"],
                        "breaking": bool(info.breaking),
                        "deprecated": info.deprecated,
                        "sunset": info.sunset,
                        "decommissioned": info.decommissioned,
                        "healthy": info.healthy,
                        "served_by": info.resolution.served_by,
                        "requests": pg.traffic[(method, pattern, info.version)],
                    }
                )
        out.append({"route": f"{method} {pattern}", "versions": versions})
    return {"routes": out, "tags": dict(ts.tags.named())}
