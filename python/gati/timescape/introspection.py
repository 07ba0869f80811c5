"""What a route's versions look like from outside: the read-only view the docs, OpenAPI, the
Playground and ``gctx.timescape`` use (``Timescape.versions()`` and ``resolve()``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gati.timescape.changes import PARTS, Schemas
from gati.timescape.resolution import Refusal, VersionedRoute
from gati.timescape.serving import Served
from gati.timescape.transformers import Transformer

__all__ = ["Resolution", "VersionInfo", "describe", "resolution_of"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a request at ``version`` is served right now: ``status`` 200 with the implementation
    ``served_by`` and the ``hops`` (from, to) it crosses, or 410 / 503 with ``detail``."""

    version: str
    status: int
    served_by: str | None
    hops: tuple[tuple[str, str], ...]
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One version of one route.

    ``handler_id`` is ``None`` for a version served only through its transformer
    (``transformer``: the hop leaving this version); ``breaking`` says whether the step from
    the previous version breaks clients (``None`` for the first version); ``resolution`` is
    how it is served now.
    """

    version: str
    handler_id: str | None
    schemas: Schemas
    transformer: Transformer | None
    breaking: bool | None
    deprecated: bool
    sunset: str | None
    decommissioned: bool
    healthy: bool
    resolution: Resolution

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form; schemas as JSON Schema 2020-12 where they are GType schemas."""
        from gati.gtype.jsonschema import to_json_schema

        def exported(schema: Any) -> Any:
            if isinstance(schema, dict) or hasattr(schema, "core"):
                return to_json_schema(schema)
            return None

        r = self.resolution
        return {
            "version": self.version,
            "handler_id": self.handler_id,
            "schemas": {part: exported(self.schemas.part(part)) for part, _ in PARTS},
            "transformer": None if self.transformer is None else self.transformer.describe(),
            "breaking": self.breaking,
            "deprecated": self.deprecated,
            "sunset": self.sunset,
            "decommissioned": self.decommissioned,
            "healthy": self.healthy,
            "status": r.status,
            "served_by": r.served_by,
            "hops": [list(h) for h in r.hops],
        }


def resolution_of(plan: Served | Refusal) -> Resolution:
    """The outside view of a version's plan."""
    if isinstance(plan, Refusal):
        return Resolution(plan.version, plan.status, None, (), plan.detail)
    hops = tuple((h.from_, h.to) for h in plan.hops)
    return Resolution(plan.version, 200, plan.served_by, hops)


def describe(group: VersionedRoute, now: float) -> list[VersionInfo]:
    """Every version of ``group``, oldest first."""
    ts = group.timescape
    out = []
    for i, version in enumerate(group.versions):
        impl = group.impls.get(version)
        retirement = ts.lifecycle.retirements.get(version)
        out.append(
            VersionInfo(
                version=version,
                handler_id=None if impl is None else impl.handler_id,
                schemas=group.schemas_of(version),
                transformer=group.transformers.get(version),
                breaking=None if i == 0 else group.steps[i - 1].breaking,
                deprecated=retirement is not None,
                sunset=None if retirement is None else retirement.sunset,
                decommissioned=ts.lifecycle.is_gone(version, now),
                healthy=ts.health.healthy((group.method, group.pattern, version)),
                resolution=resolution_of(group.plans[i]),
            )
        )
    return out
