"""Manifests of a live app (``app.manifests()``): each route's handler file is analysed the way
``gati manifest`` analyses it on disk, so both give the same manifest, fingerprint included.
A handler whose source cannot be read (built in, generated) gets a manifest from the route
alone, fingerprinted from what the route declares.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from gati.manifest.analyzer import Analysis, analyze_source
from gati.manifest.model import Manifest
from gati.manifest.operations import HIDDEN_IDS, table_routes

__all__ = ["app_manifests"]


def _core(schema: Any) -> Any:
    return schema.core() if hasattr(schema, "core") else None


def _schema_name(schema: Any) -> str | None:
    core = schema.core() if hasattr(schema, "core") else None
    return core.get("name") if isinstance(core, dict) else None


def _from_route(method: str, pattern: str, route: Any) -> Manifest:
    import hashlib

    policies = {"roles": list(route.roles), "rate_limit": route.rate_limit, "timeout": None}
    schemas = {
        key: getattr(route, f"{key}_schema", None)
        for key in ("request", "response", "params", "query")
    }
    payload = {
        "handler": route.handler_id,
        "path": pattern,
        "method": method,
        "policies": policies,
        "schemas": {k: _core(v) for k, v in schemas.items()},
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return Manifest(
        handler_id=route.handler_id,
        path=pattern,
        methods=(method,),
        gtypes={key: _schema_name(schema) for key, schema in schemas.items()},
        hooks=tuple({"name": h.id, "kind": h.kind, "level": h.level} for h in route.hooks),
        policies=policies,
        timescape={"version": route.version, "fingerprint": "sha256:" + digest},
    )


def app_manifests(app: Any) -> list[Manifest]:
    """One manifest per documented route of ``app``."""
    analysed: dict[str, Analysis] = {}
    out = []
    for method, pattern, route in table_routes(app):
        if route.handler_id in HIDDEN_IDS:
            continue
        handler = inspect.unwrap(route.handler)
        found = None
        try:
            file = inspect.getsourcefile(handler)
        except TypeError:
            file = None
        if file is not None:
            if file not in analysed:
                try:
                    source = open(file, encoding="utf-8").read()  # noqa: SIM115
                except OSError:
                    source = ""
                analysed[file] = analyze_source(source, module=handler.__module__, file=file)
            default_id = f"{handler.__module__}.{handler.__qualname__}"
            for manifest in analysed[file].manifests:
                if (
                    manifest.handler_id in (route.handler_id, default_id)
                    and manifest.path == pattern
                    and method in manifest.methods
                ):
                    found = manifest
                    break
        out.append(found if found is not None else _from_route(method, pattern, route))
    return out
