"""The planner: checks a core schema and turns it into the plan both backends compile.

Every ``SchemaError`` is raised here (``check_node`` for one node, ``make_plan`` for the whole
tree), so both backends refuse the same schemas with the same message (docs/gtype.md §4).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from gati.errors import SchemaError
from gati.gtype._convert import CONVERTERS, fills_instance_dict
from gati.gtype._messages import FORMAT_NOUNS, global_msgs, node_msgs, tag_msgs
from gati.gtype._regex import bounded, linear_engine, re2_syntax

__all__ = ["KINDS", "MAX_DEPTH", "check_node", "children", "converter", "make_plan", "normalize"]

MAX_DEPTH = 1000
"""The largest ``max_depth`` a plan takes: both backends honour it on any thread's stack (the
native one stops at 4,096 nested calls and at its stack floor, the pure one moves deep
recursion onto fresh threads); above it ``make_plan`` refuses rather than promise more."""

_COMMON = ("nullable", "description", "default", "validators", "name", "optional", "convert")
_BOUNDS = ("min", "max", "exclusive_min", "exclusive_max", "multiple_of")
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "string": ("min_length", "max_length", "pattern", "pattern_timeout", "format"),
    "number": _BOUNDS,
    "integer": _BOUNDS,
    "boolean": (),
    "null": (),
    "any": (),
    "literal": ("values",),
    "enum": ("values", "enum_class"),
    "object": ("properties", "required", "extra"),
    "array": ("items", "min_items", "max_items", "unique_items"),
    "tuple": ("items", "rest"),
    "record": ("values",),
    "union": ("members", "discriminator"),
    "intersection": ("members",),
    "ref": (),
}
KINDS = frozenset(_KIND_KEYS)
_CONTAINERS = frozenset({"object", "array", "tuple", "record"})
# Values that a key holds when unset; such keys are dropped from the core.
_DEFAULTS: dict[str, Any] = {
    "nullable": False,
    "description": None,
    "validators": [],
    "name": None,
    "optional": False,
    "unique_items": False,
    "extra": "ignore",
    "required": [],
    "rest": None,
    "discriminator": None,
    "enum_class": None,
    "convert": None,
}


def _fail(where: str, problem: str) -> SchemaError:
    return SchemaError(f"{problem} (at {where})")


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_text(s: str) -> bool:
    """Whether ``s`` is Unicode text (no lone surrogate), as JSON and both backends need."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _check_length(node: dict[str, Any], where: str, low: str, high: str) -> None:
    for key in (low, high):
        value = node.get(key)
        if value is not None and (not _is_int(value) or value < 0):
            raise _fail(where, f"{key} must be an integer ≥ 0, not {value!r}")
    if node.get(low) is not None and node.get(high) is not None and node[low] > node[high]:
        raise _fail(where, f"{low} ({node[low]}) is greater than {high} ({node[high]})")


def _check_string(node: dict[str, Any], where: str) -> None:
    _check_length(node, where, "min_length", "max_length")
    pattern, timeout = node.get("pattern"), node.get("pattern_timeout")
    if timeout is not None and (
        not _is_number(timeout) or not 0 < timeout <= 60 or pattern is None
    ):
        raise _fail(
            where,
            "pattern_timeout must be a number of seconds in (0, 60] with a pattern, "
            f"not {timeout!r}",
        )
    if pattern is not None:
        if not isinstance(pattern, str):
            raise _fail(where, f"pattern must be a str, not {pattern!r}")
        _check_pattern(pattern, timeout, where)
    fmt = node.get("format")
    if fmt is not None and fmt not in FORMAT_NOUNS:
        raise _fail(where, f"unknown format {fmt!r}; known: {', '.join(FORMAT_NOUNS)}")


def _check_pattern(pattern: str, timeout: float | None, where: str) -> None:
    """A pattern runs on a linear engine, or on a backtracking one only with a time limit."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(where, f"invalid pattern {pattern!r}: {exc}") from None
    if timeout is None and linear_engine(pattern) is None:
        raise _fail(
            where,
            f"pattern {pattern!r} needs a backtracking engine (look-around, back-references or "
            "syntax RE2 lacks); give pattern_timeout=<seconds> to run it under that time limit",
        )


def _check_number(node: dict[str, Any], where: str) -> None:
    for key in _BOUNDS:
        value = node.get(key)
        if value is not None and (not _is_number(value) or not math.isfinite(value)):
            raise _fail(where, f"{key} must be a finite number, not {value!r}")
    if node.get("multiple_of") is not None and node["multiple_of"] <= 0:
        raise _fail(where, f"multiple_of must be > 0, not {node['multiple_of']!r}")
    for low, high, strict in (
        ("min", "max", False),
        ("min", "exclusive_max", True),
        ("exclusive_min", "max", True),
        ("exclusive_min", "exclusive_max", True),
    ):
        lo, hi = node.get(low), node.get(high)
        if lo is not None and hi is not None and (lo >= hi if strict else lo > hi):
            raise _fail(where, f"{low} ({lo!r}) leaves no room below {high} ({hi!r})")


def _check_values(node: dict[str, Any], where: str, allowed: tuple[type, ...]) -> None:
    values = node.get("values")
    if not isinstance(values, list | tuple) or not values:
        raise _fail(where, f"{node['type']} needs a non-empty list of values")
    for v in values:
        if v is not None and not isinstance(v, allowed):
            raise _fail(where, f"{node['type']} value {v!r} is not allowed")
    cls = node.get("enum_class")
    if cls is not None and not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
        raise _fail(where, f"enum_class must be an Enum subclass, not {cls!r}")


def _check_object(node: dict[str, Any], where: str) -> None:
    props = node.get("properties")
    if not isinstance(props, dict) or not all(isinstance(k, str) for k in props):
        raise _fail(where, "object properties must be a dict with str keys")
    for name in props:
        if not name.isascii() and not _is_text(name):
            raise _fail(where, f"property name {name!r} holds a lone surrogate (not Unicode text)")
    required = node.get("required", [])
    if not isinstance(required, list | tuple) or len(set(required)) != len(required):
        raise _fail(where, "required must be a list of distinct property names")
    for name in required:
        if name not in props:
            raise _fail(where, f"required property {name!r} is not among the properties")
    extra = node.get("extra", "ignore")
    if extra not in ("ignore", "forbid") and not isinstance(extra, dict):
        raise _fail(where, f"extra must be 'ignore', 'forbid' or a schema, not {extra!r}")


def _check_members(node: dict[str, Any], where: str) -> None:
    members = node.get("members")
    if not isinstance(members, list | tuple) or not members:
        raise _fail(where, f"{node['type']} needs at least one member")
    disc = node.get("discriminator")
    if disc is not None and not isinstance(disc, str):
        raise _fail(where, f"discriminator must be a str, not {disc!r}")
    if disc is not None and not _is_text(disc):
        raise _fail(where, f"discriminator {disc!r} holds a lone surrogate (not Unicode text)")


# Which kinds each named conversion applies to (docs/gtype.md §9).
_CONVERT_KINDS = {
    "uuid": ("string",),
    "datetime": ("string",),
    "date": ("string",),
    "time": ("string",),
    "bytes": ("string",),
    "decimal": ("string", "number", "integer"),
}


def _check_convert(node: dict[str, Any], where: str) -> None:
    convert = node.get("convert")
    if convert is None:
        return
    if callable(convert) and not isinstance(convert, str):
        if node["type"] in ("union", "intersection", "ref"):
            raise _fail(where, f"convert does not apply to {node['type']}; set it on the members")
        return
    if convert not in _CONVERT_KINDS:
        known = ", ".join(_CONVERT_KINDS)
        raise _fail(where, f"convert must be a callable or one of {known}, not {convert!r}")
    if node["type"] not in _CONVERT_KINDS[convert]:
        raise _fail(where, f"convert={convert!r} does not apply to {node['type']}")


def converter(node: dict[str, Any]) -> Any:
    """The callable ``Validator.convert`` applies to a node's value, or None (docs/gtype.md §9)."""
    convert = node.get("convert")
    if isinstance(convert, str):
        return CONVERTERS[convert]
    if convert is None and node["type"] == "enum":
        return node.get("enum_class")
    return convert


def _check_kind(node: dict[str, Any], where: str) -> None:
    kind = node["type"]
    if kind == "string":
        _check_string(node, where)
    elif kind in ("number", "integer"):
        _check_number(node, where)
    elif kind == "literal":
        _check_values(node, where, (str, int))
    elif kind == "enum":
        _check_values(node, where, (str, int, float))
    elif kind == "object":
        _check_object(node, where)
    elif kind == "array":
        _check_length(node, where, "min_items", "max_items")
        if not isinstance(node.get("unique_items", False), bool):
            raise _fail(where, "unique_items must be a bool")
    elif kind == "tuple" and not isinstance(node.get("items"), list | tuple):
        raise _fail(where, "tuple items must be a list of schemas")
    elif kind in ("union", "intersection"):
        _check_members(node, where)
    elif kind == "ref" and (not isinstance(node.get("name"), str) or not node["name"]):
        raise _fail(where, "ref needs the name of a definition")
    for label, child in children(node):
        if not isinstance(child, dict):
            raise _fail(f"{where}.{label}", f"expected a schema node, got {child!r}")


def check_node(node: object, where: str = "(root)") -> dict[str, Any]:
    """Check one node's own keys (not its children) and return it without default-valued keys."""
    if not isinstance(node, dict):
        raise _fail(where, f"a schema node must be a dict, not {type(node).__name__}")
    kind = node.get("type")
    if kind not in _KIND_KEYS:
        raise _fail(where, f"unknown kind {kind!r}")
    allowed = {"type", *_COMMON, *_KIND_KEYS[kind]}
    for key in node:
        if key not in allowed:
            raise _fail(where, f"unknown key {key!r} for {kind}")
    if not isinstance(node.get("nullable", False), bool):
        raise _fail(where, "nullable must be a bool")
    if not isinstance(node.get("optional", False), bool):
        raise _fail(where, "optional must be a bool")
    if node.get("description") is not None and not isinstance(node["description"], str):
        raise _fail(where, "description must be a str")
    validators = node.get("validators", [])
    if not isinstance(validators, list | tuple) or not all(callable(f) for f in validators):
        raise _fail(where, "validators must be a list of callables")
    name = node.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise _fail(where, f"name must be a non-empty str, not {name!r}")
    _check_convert(node, where)
    _check_kind(node, where)
    out = {k: v for k, v in node.items() if k not in _DEFAULTS or v != _DEFAULTS[k]}
    for key in ("validators", "values", "required", "members", "items"):
        if isinstance(out.get(key), tuple):
            out[key] = list(out[key])
    return out


# Where each kind keeps its child nodes, and in what shape: "one" (a node), "list" (a list of
# nodes), "props" (name → node in the core; [name, required, node] rows in the plan), "maybe" (a
# node or None), "schema" (a node only when a dict: `extra` may also be "ignore"/"forbid").
# Every walk over the tree reads this table.
_CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    "object": (("properties", "props"), ("extra", "schema")),
    "array": (("items", "one"),),
    "tuple": (("items", "list"), ("rest", "maybe")),
    "record": (("values", "one"),),
    "union": (("members", "list"),),
    "intersection": (("members", "list"),),
}


def _slots(node: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(key, shape, value)`` for each child slot of ``node`` that holds something."""
    for key, shape in _CHILDREN.get(node["type"], ()):
        if shape in ("one", "list", "props"):
            yield key, shape, node[key]
        elif (value := node.get(key)) is not None and (shape == "maybe" or isinstance(value, dict)):
            yield key, shape, value


def children(node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The child nodes of a core or plan node, each with a label for error locations."""
    for key, shape, value in _slots(node):
        if shape == "list":
            yield from ((f"{key}[{i}]", v) for i, v in enumerate(value))
        elif shape == "props":
            rows = value.items() if isinstance(value, dict) else ((k, v) for k, _, v in value)
            yield from ((f"properties.{k}", v) for k, v in rows)
        else:
            yield key, value


def calls_out(node: dict[str, Any]) -> bool:
    """Whether validating a plan node can run code outside the validator (a custom validator,
    ``unique_items`` comparing objects; a ref, conservatively), which could change a container
    being walked: arrays and records walk a snapshot of their entries then (docs/gtype.md §5)."""
    if node["validators"] or node["type"] == "ref":
        return True
    if node["type"] == "array" and node["unique_items"]:
        return True
    return any(calls_out(child) for _, child in children(node))


def _map_children(
    node: dict[str, Any], fn: Callable[[Any, str], dict[str, Any]], where: str
) -> dict[str, Any]:
    """``{key: the slot's children passed through fn(child, where)}`` for a core node."""
    out: dict[str, Any] = {}
    for key, shape, value in _slots(node):
        if shape == "list":
            out[key] = [fn(v, f"{where}.{key}[{i}]") for i, v in enumerate(value)]
        elif shape == "props":
            out[key] = {k: fn(v, f"{where}.properties.{k}") for k, v in value.items()}
        else:
            out[key] = fn(value, f"{where}.{key}")
    return out


def normalize(core: object, where: str = "(root)") -> dict[str, Any]:
    """Check a whole core tree node by node and drop default-valued keys everywhere."""
    out = check_node(core, where)
    out.update(_map_children(out, normalize, where))
    return out


class _Planner:
    """One pass over the core tree, then the checks that need every definition."""

    def __init__(self) -> None:
        self.definitions: dict[str, dict[str, Any]] = {}
        self.refs: list[tuple[str, str]] = []
        self.unions: list[tuple[dict[str, Any], str]] = []

    def node(self, core: object, where: str) -> dict[str, Any]:
        n = check_node(core, where)
        if n.get("optional"):
            raise _fail(where, "gt.optional(...) is only allowed as a property of gt.object")
        kind = n["type"]
        plan: dict[str, Any] = {
            "type": kind,
            "nullable": n.get("nullable", False),
            "validators": list(n.get("validators", [])),
            "msgs": node_msgs(n),
            "convert": converter(n),
        }
        if "default" in n:
            plan["default"] = n["default"]
        self._kind_keys(n, plan, where)
        name = n.get("name")
        if kind == "ref":
            plan["name"] = name
            self.refs.append((n["name"], where))
        elif name is not None:
            if name in self.definitions:
                raise _fail(where, f"duplicate definition name {name!r}")
            self.definitions[name] = plan
        return plan

    def _kind_keys(self, n: dict[str, Any], plan: dict[str, Any], where: str) -> None:
        kind = n["type"]
        for key in _KIND_KEYS[kind]:
            plan[key] = n.get(key)
        if kind == "string":
            pattern, timeout = n.get("pattern"), n.get("pattern_timeout")
            engine = None if pattern is None else linear_engine(pattern)
            plan["pattern_engine"] = "backtracking" if timeout is not None else engine
            plan["pattern_re2"] = None if pattern is None or engine is None else re2_syntax(pattern)
            plan["pattern_bounded"] = pattern is not None and timeout is None and bounded(pattern)
        elif kind in ("literal", "enum"):
            plan["values"] = list(n["values"])
        plan.update(_map_children(n, self.node, where))
        if kind == "object":
            plan["instance_dict"] = fills_instance_dict(n)
            del plan["required"]  # folded into each property's entry
            required = set(n.get("required", []))
            plan["properties"] = [[k, k in required, v] for k, v in plan["properties"].items()]
            plan["extra"] = plan["extra"] or "ignore"
            plan["snapshot"] = calls_out(plan)
        elif kind == "array":
            plan["unique_items"] = n.get("unique_items", False)
            plan["snapshot"] = plan["unique_items"] or calls_out(plan["items"])
        elif kind == "record":
            plan["snapshot"] = calls_out(plan["values"])
        elif kind == "union":
            plan["mapping"] = None
            if plan["discriminator"] is not None:
                self.unions.append((plan, where))

    def resolve(self, node: dict[str, Any], where: str) -> dict[str, Any]:
        """Follow refs to the node they name."""
        seen: set[str] = set()
        while node["type"] == "ref":
            if node["name"] in seen:
                raise _fail(where, f"ref {node['name']!r} only refers to itself")
            seen.add(node["name"])
            node = self.definitions[node["name"]]
        return node

    def finish(self) -> None:
        for name, where in self.refs:
            if name not in self.definitions:
                raise _fail(where, f"ref {name!r} names no definition")
        for union, where in self.unions:
            self._discriminate(union, where)
        self._check_cycles()

    def _discriminate(self, union: dict[str, Any], where: str) -> None:
        disc: str = union["discriminator"]
        mapping: dict[Any, int] = {}
        for i, member in enumerate(union["members"]):
            at = f"{where}.members[{i}]"
            target = self.resolve(member, at)
            prop = None
            if target["type"] == "object":
                prop = next((p for k, _, p in target["properties"] if k == disc), None)
            tag = None if prop is None else self.resolve(prop, at)
            if tag is None or tag["type"] not in ("literal", "enum") or tag["nullable"]:
                raise _fail(
                    at,
                    f"a member of a union discriminated by {disc!r} must be an object whose "
                    f"{disc!r} property is a literal or enum",
                )
            for value in tag["values"]:
                if value in mapping:
                    raise _fail(at, f"duplicate discriminator tag {value!r}")
                mapping[value] = i
        union["mapping"] = mapping
        union["msgs"]["union_tag_invalid"] = tag_msgs(disc, list(mapping))

    def _check_cycles(self) -> None:
        """Refuse a ref cycle that enters no container: it could recurse without end."""
        edges = {name: set(_bare_refs(node)) for name, node in self.definitions.items()}
        state: dict[str, int] = {}

        def visit(name: str, trail: list[str]) -> None:
            state[name] = 1
            for nxt in sorted(edges[name]):
                if state.get(nxt) == 1:
                    loop = " -> ".join([*trail[trail.index(nxt) :], nxt])
                    raise SchemaError(f"recursive ref without an object or array between: {loop}")
                if nxt not in state:
                    visit(nxt, [*trail, nxt])
            state[name] = 2

        for name in edges:
            if name not in state:
                visit(name, [name])


def _bare_refs(node: dict[str, Any]) -> Iterator[str]:
    """Ref names reachable from ``node`` without entering a container."""
    kind = node["type"]
    if kind == "ref":
        yield node["name"]
    elif kind == "intersection" or (kind == "union" and node["discriminator"] is None):
        for member in node["members"]:
            yield from _bare_refs(member)


def make_plan(core: object, *, max_errors: int = 100, max_depth: int = 256) -> dict[str, Any]:
    """Check ``core`` and build the plan of docs/gtype.md §4; raises ``SchemaError``."""
    for key, value in (("max_errors", max_errors), ("max_depth", max_depth)):
        if not _is_int(value) or value < 1:
            raise SchemaError(f"{key} must be an integer ≥ 1, not {value!r}")
    if max_depth > MAX_DEPTH:
        raise SchemaError(f"max_depth must be at most {MAX_DEPTH}, not {max_depth!r}")
    planner = _Planner()
    try:
        root = planner.node(core, "(root)")
    except RecursionError:
        raise SchemaError("schema is nested too deeply to plan") from None
    planner.finish()
    return {
        "root": root,
        "definitions": planner.definitions,
        "max_errors": max_errors,
        "max_depth": max_depth,
        "msgs": global_msgs(max_errors, max_depth),
    }
