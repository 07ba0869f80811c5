"""OpenAPI 3.1 documents from operations (a live app's routes or analysed manifests).

One document per Timescape version: ``openapi_document(app, version=...)``. Schemas are
exported with ``gt.to_json_schema`` (JSON Schema 2020-12, OpenAPI 3.1's dialect); named schemas
(``name=``/``gt.ref``) become ``components.schemas`` entries referred to by ``$ref``. Every
operation lists the problem+json statuses gati may answer it with (``gati.manifest.problems``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gati.gtype.jsonschema import to_json_schema
from gati.manifest.operations import (
    UNRESOLVED,
    Operation,
    app_versions,
    declared,
    operations_of,
)
from gati.manifest.problems import PROBLEM_SCHEMAS, problem_response, problem_responses

__all__ = ["OPENAPI_VERSION", "build_document", "openapi_document"]

OPENAPI_VERSION = "3.1.0"
_REF_PREFIX = "#/components/schemas/"
_INT64_MAX = 2**63 - 1
# What each router parameter type accepts (docs/http.md): digits only for int and float.
_PATH_KINDS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0, "maximum": _INT64_MAX},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
    "str": {"type": "string", "minLength": 1},
    "path": {"type": "string"},
}
_NO_CONTENT = frozenset({204, 205, 304})


class _Checked:
    """A core schema that is already normal (``Schema.core()``): exported without re-checking,
    which is two thirds of the export's cost."""

    __slots__ = ("_core",)

    def __init__(self, core: Mapping[str, Any]) -> None:
        self._core = core

    def core(self) -> Mapping[str, Any]:
        return self._core


class _Components:
    """Named schemas gathered from every operation; one name means one schema.

    A schema object shared by many routes is exported once (keyed by identity; the cores are
    kept alive by the operations for the whole build).
    """

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = dict(PROBLEM_SCHEMAS)
        self.security: dict[str, Any] = {}
        self._exported: dict[int, dict[str, Any]] = {}

    def scheme(self, scheme: Mapping[str, Any]) -> str:
        """The ``securitySchemes`` name of a scheme object (one name per distinct scheme)."""
        kind = str(scheme.get("type", "custom"))
        detail = scheme.get("name") or scheme.get("scheme") or ""
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{kind}-{detail}".strip("-")) or "auth"
        name, n = base, 2
        while self.security.get(name, scheme) != scheme:
            name, n = f"{base}-{n}", n + 1
        self.security[name] = dict(scheme)
        return name

    def schema(self, core: Mapping[str, Any]) -> dict[str, Any]:
        known = self._exported.get(id(core))
        if known is not None:
            return dict(known)
        exported = to_json_schema(_Checked(core), ref_prefix=_REF_PREFIX)
        exported.pop("$schema", None)
        if UNRESOLVED in core:
            exported[UNRESOLVED] = core[UNRESOLVED]
        for name, definition in exported.pop("$defs", {}).items():
            existing = self.schemas.setdefault(name, definition)
            if existing != definition:
                raise ValueError(f"two different schemas are named {name!r}")
        self._exported[id(core)] = exported
        return dict(exported)


def openapi_document(
    app: Any, version: str | None = None, *, info: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` as served to clients asking for ``version``."""
    versions = app_versions(app)
    base = dict(getattr(app, "openapi_info", None) or {})
    base.update(info or {})
    return build_document(operations_of(app, version), version, info=base, versions=versions)


def build_document(
    ops: Sequence[Operation],
    version: str | None = None,
    *,
    info: Mapping[str, Any] | None = None,
    versions: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The document for a list of operations (from routes or manifests)."""
    versions = list(versions if versions is not None else declared(ops))
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    op_ids: set[str] = set()
    for op in ops:
        item = paths.setdefault(op.openapi_path, {})
        item[op.method.lower()] = _operation(op, components, op_ids)
    doc_info = {"title": "gati app", "version": version or (versions[-1] if versions else "0")}
    doc_info.update(info or {})
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": doc_info,
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(components.schemas.items()))},
    }
    if components.security:
        document["components"]["securitySchemes"] = dict(sorted(components.security.items()))
    if versions:
        document["x-gati-versions"] = versions
    return document


def _operation_id(handler_id: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", handler_id.rsplit(".", 1)[-1]) or "operation"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _operation(op: Operation, components: _Components, op_ids: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": _operation_id(op.handler_id, op_ids)}
    if op.tags:
        out["tags"] = list(op.tags)
    if op.summary:
        out["summary"] = op.summary
    if op.description:
        out["description"] = op.description
    parameters = _parameters(op, components)
    if parameters:
        out["parameters"] = parameters
    if op.request is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.schema(op.request)}},
        }
    out["responses"] = _responses(op, components)
    schemes = [components.scheme(s) for s in op.security if s.get("type")]
    if schemes:
        out["security"] = [{name: []} for name in schemes]  # any one of them
    if op.deprecated:
        out["deprecated"] = True
    if op.version:
        out["x-gati-version"] = op.version
    if op.roles:
        out["x-gati-roles"] = list(op.roles)
    if op.rate_limit:
        out["x-ratelimit"] = op.rate_limit
    return out


def _object_members(
    core: Mapping[str, Any] | None, components: _Components
) -> list[tuple[str, dict[str, Any], bool]]:
    """(name, JSON schema, required) for each property of an object schema."""
    if core is None or core.get("type") != "object":
        return []
    required = set(core.get("required", ()))
    return [
        (name, components.schema(node), name in required)
        for name, node in core.get("properties", {}).items()
    ]


def _parameters(op: Operation, components: _Components) -> list[dict[str, Any]]:
    declared_params = {name: schema for name, schema, _ in _object_members(op.params, components)}
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": declared_params.get(name, _PATH_KINDS.get(kind, {"type": "string"})),
        }
        for name, kind in op.path_params.items()
    ]
    for where, core in (("query", op.query), ("header", op.headers), ("cookie", op.cookies)):
        for name, schema, required in _object_members(core, components):
            sent = name.replace("_", "-") if where == "header" else name  # x_api_key: X-Api-Key
            param: dict[str, Any] = {"name": sent, "in": where, "schema": schema}
            if required:
                param["required"] = True
            if "description" in schema:
                param["description"] = schema["description"]
            params.append(param)
    return params


def _responses(op: Operation, components: _Components) -> dict[str, Any]:
    body = components.schema(op.response) if op.response is not None else {}
    out: dict[str, Any] = {}
    declared_success = [s for s in op.responses if 200 <= s < 300]
    if not declared_success:
        out["200"] = _success(200, "Successful response", body)
    problems = problem_responses(op)
    for status, what in sorted(op.responses.items()):
        key = str(status)
        if isinstance(what, Mapping):
            out[key] = dict(what)
        elif hasattr(what, "core"):
            description = (problems.get(key) or {}).get("description") or "Response"
            out[key] = _success(status, description, components.schema(what.core()))
        elif status < 400:
            out[key] = _success(status, what or "Successful response", body)
        else:
            out[key] = problem_response(status, what)
    for key, response in problems.items():
        out.setdefault(key, response)
    return dict(sorted(out.items()))


def _success(status: int, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    if status in _NO_CONTENT:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}
