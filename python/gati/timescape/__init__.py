"""Timescape: date-based API versions with several live implementations per route,
transformers between versions, breaking-change detection from the schemas, deprecation and
sunset headers, decommissioning and per-version health (DESIGN §7, docs/timescape.md).

``app.timescape`` (and ``gctx.timescape``) is the ``Timescape`` registry; routes register
versions with ``@app.get(path, version="2025-06-01")`` and hops with ``@app.transformer``.
"""

from gati.timescape.changes import Schemas, Step
from gati.timescape.health import HealthPolicy
from gati.timescape.introspection import Resolution, VersionInfo
from gati.timescape.registry import Timescape
from gati.timescape.resolution import VersionedRoute
from gati.timescape.shared import SharedTimescape
from gati.timescape.transformers import RequestData, ResponseData, Transformer, TransformerFailed
from gati.timescape.versions import UnknownVersion, VersionError

__all__ = [
    "HealthPolicy",
    "RequestData",
    "Resolution",
    "ResponseData",
    "Schemas",
    "SharedTimescape",
    "Step",
    "Timescape",
    "Transformer",
    "TransformerFailed",
    "UnknownVersion",
    "VersionError",
    "VersionInfo",
    "VersionedRoute",
]
