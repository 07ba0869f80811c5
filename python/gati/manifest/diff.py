"""API diffs: the changes between two OpenAPI documents, per operation, each breaking or not.

The rules are DESIGN §7's: breaking = a removed operation, a new required request field or
parameter, a request field optional→required, a removed response field, a response field
required→optional, a type change, nullable→non-nullable, narrowed request constraints, removed
request enum values; everything else is non-breaking. With ``versions=True`` a breaking change
to an operation is accepted when the new document serves it from a Timescape version the old
one did not have (the change was released as a new version).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Change", "diff_documents", "render"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")


@dataclass(frozen=True)
class Change:
    """One change: the operation (``GET /users``), where in it, what happened, its severity."""

    operation: str
    where: str
    message: str
    breaking: bool
    accepted: bool = False  # breaking, but released as a new Timescape version

    @property
    def severity(self) -> str:
        if self.breaking:
            return "breaking (new version)" if self.accepted else "breaking"
        return "non-breaking"


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.op = ""

    def add(self, where: str, message: str, breaking: bool) -> None:
        self.changes.append(Change(self.op, where, message, breaking))

    def resolve(self, doc: Mapping[str, Any], schema: Any) -> Any:
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 64:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = doc.get("components", {}).get("schemas", {}).get(name, {})
            seen += 1
        return schema if isinstance(schema, Mapping) else {}

    def schema(self, where: str, old: Any, new: Any, role: str, seen: set[Any]) -> None:
        """Compare two schemas; ``role`` is ``request`` or ``response``."""
        key = (id(old), id(new), role)
        if key in seen:
            return
        seen.add(key)
        old, new = self.resolve(self.old, old), self.resolve(self.new, new)
        old_types, new_types = _types(old), _types(new)
        if old_types and new_types and old_types - {"null"} != new_types - {"null"}:
            self.add(where, f"type {_show(old_types)} → {_show(new_types)}", True)
            return
        if "null" in old_types and new_types and "null" not in new_types:
            self.add(where, "no longer nullable", True)
        request = role == "request"
        for bound in _LOWER_BOUNDS + _UPPER_BOUNDS:
            before, after = old.get(bound), new.get(bound)
            if before == after:
                continue
            upper = bound in _UPPER_BOUNDS
            narrowed = after is not None and (
                before is None or (after < before if upper else after > before)
            )
            self.add(where, f"{bound} {before} → {after}", request and narrowed)
        if old.get("pattern") != new.get("pattern"):
            self.add(where, f"pattern {old.get('pattern')} → {new.get('pattern')}", request)
        old_enum, new_enum = _enum(old), _enum(new)
        if old_enum is not None and new_enum is not None and old_enum != new_enum:
            removed = [v for v in old_enum if v not in new_enum]
            added = [v for v in new_enum if v not in old_enum]
            if removed:
                self.add(where, f"values removed: {removed}", request)
            if added:
                self.add(where, f"values added: {added}", False)
        self.properties(where, old, new, role, seen)
        if isinstance(old.get("items"), Mapping) and isinstance(new.get("items"), Mapping):
            self.schema(where + "[]", old["items"], new["items"], role, seen)

    def properties(self, where: str, old: Any, new: Any, role: str, seen: set[Any]) -> None:
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        old_req, new_req = set(old.get("required") or ()), set(new.get("required") or ())
        request = role == "request"
        for name in sorted(set(old_props) | set(new_props)):
            at = f"{where}.{name}"
            if name not in new_props:
                self.add(at, f"{role} field removed", not request)
            elif name not in old_props:
                required = name in new_req
                label = "required" if required else "optional"
                self.add(at, f"{role} field added ({label})", request and required)
            else:
                if name in old_req and name not in new_req:
                    self.add(at, "required → optional", not request)
                elif name not in old_req and name in new_req:
                    self.add(at, "optional → required", request)
                self.schema(at, old_props[name], new_props[name], role, seen)

    def parameters(self, old_op: Mapping[str, Any], new_op: Mapping[str, Any]) -> None:
        def index(op: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
            return {(p["in"], p["name"]): p for p in op.get("parameters", ())}

        before, after = index(old_op), index(new_op)
        for key in sorted(set(before) | set(after)):
            where = f"{key[0]} parameter {key[1]}"
            if key not in after:
                self.add(where, "removed", key[0] == "path")
            elif key not in before:
                required = bool(after[key].get("required"))
                self.add(where, "added (required)" if required else "added (optional)", required)
            else:
                was, now = bool(before[key].get("required")), bool(after[key].get("required"))
                if not was and now:
                    self.add(where, "optional → required", True)
                self.schema(where, before[key].get("schema"), after[key].get("schema"),
                            "request", set())  # fmt: skip

    def operation(self, old_op: Mapping[str, Any], new_op: Mapping[str, Any]) -> None:
        self.parameters(old_op, new_op)
        old_body, new_body = _body(old_op.get("requestBody")), _body(new_op.get("requestBody"))
        if old_body is None and new_body is not None:
            self.add("request body", "now required", bool(new_op["requestBody"].get("required")))
        elif old_body is not None and new_body is None:
            self.add("request body", "no longer read", False)
        elif old_body is not None and new_body is not None:
            self.schema("request body", old_body, new_body, "request", set())
        old_res, new_res = old_op.get("responses", {}), new_op.get("responses", {})
        for status in sorted(set(old_res) | set(new_res)):
            success = status.startswith("2")
            if status not in new_res:
                self.add(f"response {status}", "removed", success)
            elif status not in old_res:
                self.add(f"response {status}", "added", False)
            elif success:
                before, after = _body(old_res[status]), _body(new_res[status])
                if before is not None and after is not None:
                    self.schema(f"response {status}", before, after, "response", set())
        if new_op.get("deprecated") and not old_op.get("deprecated"):
            self.add("operation", "deprecated", False)


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return set(kind)
    if "const" in schema:
        return {type(schema["const"]).__name__}
    return set()


def _show(types: set[str]) -> str:
    return "|".join(sorted(types))


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _body(obj: Any) -> Any:
    if not isinstance(obj, Mapping):
        return None
    content = obj.get("content") or {}
    for media in ("application/json", *content):
        if media in content:
            return content[media].get("schema", {})
    return None


def _operations(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, item in (doc.get("paths") or {}).items()
        for method, op in item.items()
        if method in _METHODS
    }


def diff_documents(
    old: Mapping[str, Any], new: Mapping[str, Any], *, versions: bool = False
) -> list[Change]:
    """Every change from ``old`` to ``new``, operation by operation."""
    differ = _Differ(old, new)
    before, after = _operations(old), _operations(new)
    for name in sorted(set(before) | set(after)):
        differ.op = name
        if name not in after:
            differ.add("operation", "removed", True)
        elif name not in before:
            differ.add("operation", "added", False)
        else:
            differ.operation(before[name], after[name])
    if not versions:
        return differ.changes
    known = set(old.get("x-gati-versions") or ())
    released = {
        name
        for name, op in after.items()
        if op.get("x-gati-version") and op["x-gati-version"] not in known
    }
    return [
        Change(c.operation, c.where, c.message, c.breaking, accepted=True)
        if c.breaking and c.operation in released
        else c
        for c in differ.changes
    ]


def render(changes: list[Change], fmt: str) -> str:
    """The changes as ``text``, ``markdown`` or ``json``."""
    if fmt == "json":
        rows = [{**asdict(c), "severity": c.severity} for c in changes]
        return json.dumps({"changes": rows, "breaking": _blocking(changes)}, indent=2)
    if not changes:
        return "no changes"
    if fmt == "markdown":
        lines = ["| operation | where | change | severity |", "| --- | --- | --- | --- |"]
        lines += [f"| `{c.operation}` | {c.where} | {c.message} | {c.severity} |" for c in changes]
        return "\n".join(lines)
    lines, current = [], None
    for c in changes:
        if c.operation != current:
            current = c.operation
            lines.append(current)
        lines.append(f"  [{c.severity}] {c.where}: {c.message}")
    blocking = _blocking(changes)
    lines.append(f"{len(changes)} changes, {blocking} breaking")
    return "\n".join(lines)


def _blocking(changes: list[Change]) -> int:
    return sum(1 for c in changes if c.breaking and not c.accepted)


def diff_manifests(old: list[Any], new: list[Any]) -> list[Change]:
    """Changes that only manifests show: a handler's code (fingerprint), types by name, and
    policies (new roles or a tighter rate limit break callers that used to pass)."""

    def index(items: list[Any]) -> dict[str, Any]:
        return {f"{m.methods[0]} {m.path}": m for m in items}

    before, after = index(old), index(new)
    changes = []
    for name in sorted(set(before) & set(after)):
        was, now = before[name], after[name]
        for key in ("request", "response"):
            if was.gtypes.get(key) != now.gtypes.get(key):
                message = f"type {was.gtypes.get(key)} → {now.gtypes.get(key)}"
                changes.append(Change(name, key, message, True))
        added_roles = set(now.policies.get("roles") or ()) - set(was.policies.get("roles") or ())
        if added_roles:
            changes.append(Change(name, "policies", f"roles added: {sorted(added_roles)}", True))
        limits = was.policies.get("rate_limit"), now.policies.get("rate_limit")
        if limits[0] != limits[1]:
            message = f"rate limit {limits[0]} → {limits[1]}"
            changes.append(Change(name, "policies", message, False))
        if was.fingerprint != now.fingerprint:
            changes.append(Change(name, "handler", "implementation changed", False))
    return changes
