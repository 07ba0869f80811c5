"""Compare two versions of a schema and say which changes break clients (DESIGN §7).

The role says which way values flow. A *request* schema breaks clients when it rejects a value
the old one accepted; a *response* schema breaks them when it may send a value the old one
ruled out, or stops sending one it promised. ``role="both"`` (the default) is for a schema used
both ways: a change is breaking when it breaks either role.

Each change is classified once as ``narrowed`` (the new schema accepts fewer values),
``widened`` (more values) or ``changed`` (neither contains the other), and the role turns
that into ``breaking``. DESIGN §7's explicit rules sit on top: any change of kind and any
nullable→non-nullable change is breaking in every role; a removed response field is breaking
and a new response field is not; a removed request field is not breaking unless the new object
forbids extra keys (old clients still sending it would be rejected); when the new object has an
extra-values schema, the removed property is also compared with it. Constraints are compared
key by key, so an equivalent rewrite (``min=1`` → ``exclusive_min=0`` on integers) is reported
as the narrowing it looks like.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from gati.gtype._walk import Core, HasCore, as_core, definitions
from gati.gtype.paths import format_path

__all__ = ["Change", "Diff", "Path", "Role", "diff"]

Role = Literal["request", "response", "both"]
Path = tuple[str | int, ...]
_Direction = Literal["narrowed", "widened", "changed", "neutral"]
_BREAKS: dict[str, frozenset[str]] = {
    "request": frozenset({"narrowed", "changed"}),
    "response": frozenset({"widened", "changed"}),
    "both": frozenset({"narrowed", "widened", "changed"}),
}
_COMMON_KEYS = ("nullable", "description", "default", "validators")
_LOWER_BOUNDS = ("min", "exclusive_min", "min_length", "min_items")
_UPPER_BOUNDS = ("max", "exclusive_max", "max_length", "max_items")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: where (a path of property names, ``[]`` items, ``{}`` values, tuple
    indexes, ``|i``/``&i`` members), what kind, a readable detail and whether it breaks."""

    path: Path
    kind: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        flag = "BREAKING" if self.breaking else "ok"
        return f"{format_path(self.path)}: {self.detail} [{self.kind}, {flag}]"


@dataclass(frozen=True, slots=True)
class Diff:
    """Every change between two schemas, in schema order."""

    role: Role
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> bool:
        """True when at least one change breaks clients."""
        return any(c.breaking for c in self.changes)

    def __str__(self) -> str:
        return "\n".join(map(str, self.changes)) or "no changes"


def diff(old: HasCore | Core, new: HasCore | Core, *, role: Role = "both") -> Diff:
    """Compare ``old`` with ``new`` as a ``role`` schema (``request``, ``response`` or ``both``)."""
    if role not in _BREAKS:
        raise ValueError(f"role must be 'request', 'response' or 'both', not {role!r}")
    old_core, new_core = as_core(old), as_core(new)
    walker = _Walker(role, definitions(old_core), definitions(new_core))
    walker.node((), old_core, new_core)
    return Diff(role, tuple(walker.changes))


class _Walker:
    def __init__(self, role: Role, old_defs: Mapping[str, Core], new_defs: Mapping[str, Core]):
        self.role = role
        self.defs = (old_defs, new_defs)
        self.changes: list[Change] = []
        self.seen: set[tuple[str | None, str | None]] = set()

    def add(self, path: Path, kind: str, detail: str, how: _Direction) -> None:
        self.changes.append(Change(path, kind, detail, how in _BREAKS[self.role]))

    def add_rule(self, path: Path, kind: str, detail: str, breaks: bool) -> None:
        self.changes.append(Change(path, kind, detail, breaks))

    def resolve(self, node: Core, side: int) -> Core:
        """Follow refs to their definition, keeping the ref's own nullable/description."""
        hops = 0
        while node["type"] == "ref" and hops <= len(self.defs[side]):
            target = self.defs[side][node["name"]]
            extra = {k: node[k] for k in _COMMON_KEYS if k in node}
            node = {**target, **extra}
            hops += 1
        return node

    def node(self, path: Path, old: Core, new: Core) -> None:
        pair = (_ref_name(old), _ref_name(new))
        old, new = self.resolve(old, 0), self.resolve(new, 1)
        self.common(path, old, new)
        if pair != (None, None):
            if pair in self.seen:  # compared already, or being compared (recursion)
                return
            self.seen.add(pair)
        if old["type"] != new["type"]:
            if new["type"] == "union":  # X → X | Y: compare as one-member unions
                old = {"type": "union", "members": [_bare(old)]}
            elif old["type"] == "union":
                new = {"type": "union", "members": [_bare(new)]}
            else:
                self.add_rule(path, "type_changed", f"{old['type']} → {new['type']}", True)
                return
        _KINDS.get(new["type"], _Walker.nothing)(self, path, old, new)

    def nothing(self, path: Path, old: Core, new: Core) -> None:
        """Kinds without keys of their own (boolean, null, any)."""

    def common(self, path: Path, old: Core, new: Core) -> None:
        was, now = bool(old.get("nullable")), bool(new.get("nullable"))
        if was and not now:
            self.add_rule(path, "nullable_removed", "no longer accepts null", True)
        elif now and not was:
            self.add(path, "nullable_added", "now accepts null", "widened")
        for key in ("description", "default"):
            if old.get(key) != new.get(key):
                self.add(path, f"{key}_changed", f"{key} changed", "neutral")
        before, after = _names(old.get("validators", ())), _names(new.get("validators", ()))
        if before != after:
            how = _set_direction(set(before), set(after))
            self.add(path, "validators_changed", f"validators {before} → {after}", how)

    def scalar(self, path: Path, old: Core, new: Core) -> None:
        for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
            a, b = old.get(key), new.get(key)
            if a == b:
                continue
            lower = key in _LOWER_BOUNDS
            if a is None or b is None:
                how: _Direction = "narrowed" if a is None else "widened"
            else:
                how = "narrowed" if (b > a) == lower else "widened"
            self.add(path, f"{key}_changed", f"{key}: {a!r} → {b!r}", how)
        for key in ("pattern", "format"):
            self.exact(path, key, old.get(key), new.get(key))
        a, b = old.get("multiple_of"), new.get("multiple_of")
        if a != b:
            if a is None or b is None:
                how = "narrowed" if a is None else "widened"
            elif b % a == 0:
                how = "narrowed"
            elif a % b == 0:
                how = "widened"
            else:
                how = "changed"
            self.add(path, "multiple_of_changed", f"multiple_of: {a!r} → {b!r}", how)

    def exact(self, path: Path, key: str, a: Any, b: Any) -> None:
        """A constraint that either holds or not: adding narrows, removing widens."""
        if a != b:
            how: _Direction = "narrowed" if a is None else "widened" if b is None else "changed"
            self.add(path, f"{key}_changed", f"{key}: {a!r} → {b!r}", how)

    def values(self, path: Path, old: Core, new: Core) -> None:
        before, after = list(old["values"]), list(new["values"])
        removed = [v for v in before if not _has(after, v)]
        added = [v for v in after if not _has(before, v)]
        if removed:
            self.add(path, "values_removed", f"values removed: {removed!r}", "narrowed")
        if added:
            self.add(path, "values_added", f"values added: {added!r}", "widened")

    def object(self, path: Path, old: Core, new: Core) -> None:
        props_old, props_new = old.get("properties", {}), new.get("properties", {})
        req_old, req_new = set(old.get("required", ())), set(new.get("required", ()))
        extra = new.get("extra", "ignore")
        request, response = self.role in ("request", "both"), self.role in ("response", "both")
        for name, child in props_old.items():
            where = (*path, name)
            if name not in props_new:
                breaks = response or (request and extra == "forbid")
                self.add_rule(where, "property_removed", "property removed", breaks)
                if isinstance(extra, Mapping):  # its values now meet the extra schema
                    self.node(where, child, extra)
                continue
            if name in req_old and name not in req_new:
                self.add_rule(where, "property_optional", "required → optional", response)
            elif name in req_new and name not in req_old:
                self.add_rule(where, "property_required", "optional → required", request)
            self.node(where, child, props_new[name])
        for name in props_new:
            if name not in props_old:
                required = name in req_new
                detail = f"{'required' if required else 'optional'} property added"
                self.add_rule((*path, name), "property_added", detail, request and required)
        self.extra(path, old.get("extra", "ignore"), new.get("extra", "ignore"))

    def extra(self, path: Path, a: Any, b: Any) -> None:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            self.node((*path, "{}"), a, b)
            return
        if a == b:
            return
        rank = {"forbid": 0, "ignore": 2}
        ra, rb = (
            rank.get(a, 1) if isinstance(a, str) else 1,
            rank.get(b, 1) if isinstance(b, str) else 1,
        )
        how: _Direction = "narrowed" if rb < ra else "widened"
        request = self.role in ("request", "both")
        # Extra keys in a response are new response fields: never breaking for clients.
        breaks = request and how == "narrowed"
        self.add_rule(path, "extra_changed", f"extra: {_extra(a)} → {_extra(b)}", breaks)

    def array(self, path: Path, old: Core, new: Core) -> None:
        self.scalar(path, old, new)
        a, b = bool(old.get("unique_items")), bool(new.get("unique_items"))
        if a != b:
            how: _Direction = "narrowed" if b else "widened"
            self.add(path, "unique_items_changed", f"unique_items: {a} → {b}", how)
        self.node((*path, "[]"), old["items"], new["items"])

    def tuple_(self, path: Path, old: Core, new: Core) -> None:
        items_old, items_new = list(old.get("items", ())), list(new.get("items", ()))
        if len(items_old) != len(items_new):
            detail = f"{len(items_old)} → {len(items_new)} fixed items"
            self.add(path, "tuple_length_changed", detail, "changed")
        for i, (a, b) in enumerate(zip(items_old, items_new, strict=False)):
            self.node((*path, i), a, b)
        rest_old, rest_new = old.get("rest"), new.get("rest")
        if rest_old is not None and rest_new is not None:
            self.node((*path, "[...]"), rest_old, rest_new)
        elif rest_old is not None or rest_new is not None:
            how: _Direction = "narrowed" if rest_new is None else "widened"
            self.add(path, "tuple_rest_changed", "rest items " + how, how)

    def record(self, path: Path, old: Core, new: Core) -> None:
        self.node((*path, "{}"), old["values"], new["values"])

    def union(self, path: Path, old: Core, new: Core) -> None:
        tag_old, tag_new = old.get("discriminator"), new.get("discriminator")
        if tag_old != tag_new:
            self.exact(path, "discriminator", tag_old, tag_new)
        unmatched = list(enumerate(new["members"]))
        for i, member in enumerate(old["members"]):
            sig = self.signature(member, 0, tag_new)
            j = next(
                (k for k, (_, m) in enumerate(unmatched) if self.signature(m, 1, tag_new) == sig),
                None,
            )
            if j is None:
                self.add((*path, f"|{i}"), "member_removed", "union member removed", "narrowed")
            else:
                index, match = unmatched.pop(j)
                self.node((*path, f"|{index}"), member, match)
        for index, _ in unmatched:
            self.add((*path, f"|{index}"), "member_added", "union member added", "widened")

    def signature(self, member: Core, side: int, tag: str | None) -> tuple[Any, ...]:
        """What pairs union members across versions: kind and name, or the tag values."""
        node = self.resolve(member, side)
        if tag is not None and node["type"] == "object":
            tagged = self.resolve(node.get("properties", {}).get(tag, {"type": "any"}), side)
            return ("tag", tuple(map(repr, tagged.get("values", ()))))
        return (node["type"], member.get("name"))

    def intersection(self, path: Path, old: Core, new: Core) -> None:
        a, b = old["members"], new["members"]
        if len(a) != len(b):
            self.add(path, "members_changed", f"{len(a)} → {len(b)} members", "changed")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            self.node((*path, f"&{i}"), x, y)


_Handler = Callable[[_Walker, Path, Core, Core], None]
_KINDS: dict[str, _Handler] = {
    "string": _Walker.scalar,
    "number": _Walker.scalar,
    "integer": _Walker.scalar,
    "literal": _Walker.values,
    "enum": _Walker.values,
    "object": _Walker.object,
    "array": _Walker.array,
    "tuple": _Walker.tuple_,
    "record": _Walker.record,
    "union": _Walker.union,
    "intersection": _Walker.intersection,
}


def _bare(node: Core) -> Core:
    """The node without the keys `common` already compared."""
    return {k: v for k, v in node.items() if k not in _COMMON_KEYS}


def _ref_name(node: Core) -> str | None:
    name = node.get("name") if node["type"] != "ref" else node["name"]
    return name if isinstance(name, str) else None


def _names(validators: Sequence[Callable[..., Any]]) -> list[str]:
    return [
        f"{getattr(v, '__module__', '?')}.{getattr(v, '__qualname__', repr(v))}" for v in validators
    ]


def _set_direction(before: set[str], after: set[str]) -> _Direction:
    if before <= after:
        return "narrowed"
    return "widened" if after <= before else "changed"


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__


def _has(values: Sequence[Any], value: Any) -> bool:
    """Membership as literal/enum matching decides it (docs/gtype.md §5): same JSON kind, ==."""
    kind = _json_kind(value)
    return any(_json_kind(v) == kind and v == value for v in values)


def _extra(value: Any) -> str:
    return "schema" if isinstance(value, Mapping) else str(value)
