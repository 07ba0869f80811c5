"""Operations: what the tools (OpenAPI, clients, diff) need to know about one method on one
path, read from a live app's routes or from a statically analysed manifest.

Every generator works from ``Operation`` records, so the document a running app serves and the
one built from manifests on disk come out of the same code. Which implementation of a path
serves a Timescape version is decided here, in ``routes_for_version``: the rest of the package
does not know how versions are stored on a route.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gati.gtype.dsl import from_core
from gati.policy.rate import parse_rate

__all__ = [
    "UNRESOLVED",
    "Operation",
    "app_versions",
    "operation_from_route",
    "operations_from_manifests",
    "operations_of",
    "routes_for_version",
    "split_docstring",
    "table_routes",
]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}")
# The OpenAPI extension marking a schema the analyzer could not evaluate from the source.
UNRESOLVED = "x-gati-unresolved"
# Built-in routes of the document and docs pages themselves are not API operations.
HIDDEN_IDS = frozenset({"gati.openapi", "gati.docs", "gati.docs.asset"})


@dataclass(frozen=True)
class Operation:
    """One method on one path, with everything documentation and clients are built from.

    Schemas are core schemas (plain dicts, ``Schema.core()``) or ``None``; ``path_params``
    maps each parameter of ``path`` to its router type (``int``, ``float``, ``uuid``, ``str``,
    ``path``). ``security`` holds OpenAPI security scheme objects, any one of which
    authenticates a caller; ``rate_limit`` is the limit's text or its description.
    """

    method: str
    path: str
    handler_id: str
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    request: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None
    query: Mapping[str, Any] | None = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, Any] | None = None
    cookies: Mapping[str, Any] | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    auth: bool = False
    security: tuple[Mapping[str, Any], ...] = ()
    rate_limit: str | Mapping[str, Any] | None = None
    timeout: float | None = None
    max_body_size: int | None = None
    version: str | None = None
    responses: Mapping[int, Any] = field(default_factory=dict)

    @property
    def openapi_path(self) -> str:
        """The path with typed parameters written as OpenAPI wants them: ``/users/{id}``."""
        return _PARAM.sub(lambda m: "{" + m[1] + "}", self.path)


def path_param_kinds(pattern: str) -> dict[str, str]:
    """``/users/{id:int}/{rest:path}`` → ``{"id": "int", "rest": "path"}``."""
    return {m[1]: m[2] or "str" for m in _PARAM.finditer(pattern)}


def split_docstring(doc: str | None) -> tuple[str | None, str | None]:
    """The first paragraph as the summary, the rest (if any) as the description."""
    if not doc:
        return None, None
    text = inspect.cleandoc(doc)
    head, _, rest = text.partition("\n\n")
    summary = " ".join(head.split()) or None
    return summary, rest.strip() or None


def operation_from_route(
    method: str, pattern: str, route: Any, cores: dict[int, Any] | None = None
) -> Operation:
    """An ``Operation`` for one registered route (options read by name, so routes that gain
    options later still document what they already declare). ``cores`` shares one core dict
    per schema object across routes, so a schema used by many routes is exported once."""
    cores = {} if cores is None else cores

    def _core(schema: Any) -> Mapping[str, Any] | None:
        """A schema option as a core dict (a compiled validator documents nothing)."""
        if schema is None or not hasattr(schema, "core"):
            return None
        entry = cores.get(id(schema))
        if entry is None:
            entry = cores[id(schema)] = (schema, schema.core())  # keeps the id valid
        core = entry[1]
        return core if isinstance(core, Mapping) else None

    doc_summary, doc_description = split_docstring(getattr(route.handler, "__doc__", None))
    option = getattr
    # The route's effective policies (app defaults applied), as the policy layer describes them.
    policy = option(route, "policy", None)
    describe = getattr(policy, "describe", None)
    described: Mapping[str, Any] = describe() if callable(describe) else {}
    schemes = tuple(described.get("auth") or ())
    return Operation(
        method=method,
        path=pattern,
        handler_id=route.handler_id,
        summary=option(route, "summary", None) or doc_summary,
        description=doc_description,
        tags=tuple(option(route, "tags", ()) or ()),
        deprecated=bool(option(route, "deprecated", False)),
        request=_core(option(route, "request_schema", None)),
        response=_core(option(route, "response_schema", None)),
        query=_core(option(route, "query_schema", None)),
        params=_core(option(route, "params_schema", None)),
        headers=_core(option(route, "headers_schema", None)),
        cookies=_core(option(route, "cookies_schema", None)),
        path_params=path_param_kinds(pattern),
        roles=tuple(described.get("roles") or option(route, "roles", ()) or ()),
        auth=bool(schemes),
        security=schemes,
        rate_limit=described.get("rate_limit") or option(route, "rate_limit", None),
        timeout=option(route, "timeout", None),
        max_body_size=option(route, "max_body_size", None),
        version=option(route, "version", None),
        responses=dict(option(route, "responses", None) or {}),
    )


class _VersionView:
    """One Timescape version of a route as the generators see it: the implementation that
    serves it, with the schemas, version and deprecation clients of that version see."""

    def __init__(self, impl: Any, version: str, schemas: Any, deprecated: bool) -> None:
        self._impl = impl
        self.version = version
        self.request_schema = schemas.request
        self.query_schema = schemas.query
        self.params_schema = schemas.params
        self.response_schema = schemas.response
        self.deprecated = deprecated or bool(getattr(impl, "deprecated", False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._impl, name)


def table_routes(app: Any) -> Iterator[tuple[str, str, Any]]:
    """Every (method, pattern, route) of the app; a path with Timescape versions gives one
    route per version (a view of the implementation serving it, with that version's schemas)."""
    for method, pattern, entry in app.routes.routes():
        impls = getattr(entry, "impls", None)
        if impls is None:
            yield method, pattern, entry
            continue
        infos = {i.version: i for i in entry.timescape.versions(method, pattern)}
        for version in entry.versions:
            impl = impls.get(version)
            hop = version
            while impl is None:
                hop = entry.transformers[hop].to
                impl = impls.get(hop)
            info = infos.get(version)
            deprecated = bool(info is not None and info.deprecated)
            schemas = entry.schemas_of(version)
            yield method, pattern, _VersionView(impl, version, schemas, deprecated)


def app_versions(app: Any) -> list[str]:
    """Every Timescape version the app's routes declare, oldest first."""
    return sorted({v for _, _, r in table_routes(app) if (v := getattr(r, "version", None))})


def routes_for_version(
    routes: Iterable[tuple[str, str, Any]], version: str | None
) -> list[tuple[str, str, Any]]:
    """The implementation serving ``version`` for each (method, path).

    The latest implementation dated at or before ``version`` serves it; a path whose first
    implementation is newer serves that first one (a new route is additive, DESIGN §7);
    ``None`` means the newest of each.
    """
    groups: dict[tuple[str, str], list[Any]] = {}
    for method, pattern, route in routes:
        groups.setdefault((method, pattern), []).append(route)
    chosen = []
    for (method, pattern), candidates in groups.items():
        ordered = sorted(candidates, key=lambda r: getattr(r, "version", None) or "")
        pick = ordered[-1]
        if version is not None:
            older = [r for r in ordered if (getattr(r, "version", None) or "") <= version]
            pick = older[-1] if older else ordered[0]
        chosen.append((method, pattern, pick))
    return chosen


def operations_of(app: Any, version: str | None = None) -> list[Operation]:
    """The app's documented operations for ``version`` (``None``: the newest)."""
    cores: dict[int, Any] = {}
    return [
        operation_from_route(method, pattern, route, cores)
        for method, pattern, route in routes_for_version(table_routes(app), version)
        if route.handler_id not in HIDDEN_IDS
    ]


def _manifest_schema(m: Any, key: str) -> Mapping[str, Any] | None:
    """One schema option of a manifest: the core schema the analyzer evaluated, or, for an
    expression it could not evaluate, an unconstrained schema that says so
    (``x-gati-unresolved``) rather than passing for an empty one."""
    evaluated = m.schemas.get(key)
    if evaluated is None:
        name = m.gtypes.get(key)
        if not name:
            return None
        evaluated = {"unresolved": name, "reason": "not evaluated (an older manifest)"}
    if "unresolved" not in evaluated:
        return dict(evaluated)
    text, reason = evaluated["unresolved"], evaluated.get("reason", "")
    return {
        "type": "any",
        "description": f"{text}: not known from the source alone ({reason})",
        UNRESOLVED: text,
    }


def _manifest_responses(m: Any) -> dict[int, Any]:
    """``responses=`` of a manifest in the form the generators take from a live route."""
    out: dict[int, Any] = {}
    for key, entry in (m.docs.get("responses") or {}).items():
        if not key.isdigit():
            continue
        if "schema" in entry:
            out[int(key)] = from_core(entry["schema"])
        elif "object" in entry:
            out[int(key)] = entry["object"]
        elif "unresolved" in entry:
            text = entry["unresolved"]
            out[int(key)] = {"description": f"{text}: not known from the source alone",
                             UNRESOLVED: text}  # fmt: skip
        else:
            out[int(key)] = entry.get("description")
    return out


def _described_rate(text: Any) -> Any:
    """A manifest's rate limit as the policy layer describes a route's (its text if bad)."""
    if not isinstance(text, str):
        return text
    try:
        return parse_rate(text).describe()
    except ValueError:
        return text


def operations_from_manifests(manifests: Iterable[Any]) -> list[Operation]:
    """Operations for statically analysed manifests, with the schemas evaluated from source."""
    ops = []
    for m in manifests:
        for method in m.methods:
            ops.append(
                Operation(
                    method=method,
                    path=m.path,
                    handler_id=m.handler_id,
                    summary=m.docs.get("summary"),
                    description=m.docs.get("description"),
                    tags=tuple(m.docs.get("tags") or ()),
                    request=_manifest_schema(m, "request"),
                    response=_manifest_schema(m, "response"),
                    query=_manifest_schema(m, "query"),
                    params=_manifest_schema(m, "params"),
                    headers=_manifest_schema(m, "headers"),
                    cookies=_manifest_schema(m, "cookies"),
                    path_params=path_param_kinds(m.path),
                    roles=tuple(m.policies.get("roles") or ()),
                    rate_limit=_described_rate(m.policies.get("rate_limit")),
                    timeout=m.policies.get("timeout"),
                    version=m.version,
                    responses=_manifest_responses(m),
                )
            )
    return ops


def declared(ops: Sequence[Operation]) -> list[str]:
    """The versions a set of operations declares, oldest first."""
    return sorted({op.version for op in ops if op.version})
