"""Generated fast paths: one Python function per schema tree, its checks written out inline.

A call per node costs more than most checks do, so for the kinds that need no per-call state
(scalars, literals, objects, arrays, records without custom validators) the fast path
``ok(value, depth, active) -> bool`` is emitted as straight-line code. Other nodes (unions,
intersections, tuples, refs, nodes with validators) are called through the closures that
``gati._pure.gtype`` builds, which also own every error report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gati._pure.formats import FORMATS, WHOLE_MATCHES

__all__ = ["INLINE_KINDS", "generate", "inlinable"]

INLINE_KINDS = frozenset(
    {"string", "number", "integer", "boolean", "null", "any", "literal", "enum"}
    | {"object", "array", "record"}
)
_MAX_NESTING = 12  # deeper trees call into closures instead of nesting blocks further


def inlinable(node: dict[str, Any]) -> bool:
    """Whether ``node`` can be written out inline."""
    return node["type"] in INLINE_KINDS and not node["validators"]


class _Emitter:
    def __init__(
        self,
        max_depth: int,
        closure: Callable[[dict[str, Any]], Any],
        helpers: dict[str, Any],
    ) -> None:
        self.max_depth = max_depth
        self.closure = closure
        self.ns: dict[str, Any] = {"_isfinite": math.isfinite, **helpers}
        self.lines: list[str] = []
        self.count = 0

    def const(self, value: Any) -> str:
        self.count += 1
        name = f"_k{self.count}"
        self.ns[name] = value
        return name

    def var(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def out(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def node(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        """Lines that ``return False`` unless ``x`` matches ``node`` at depth ``d``."""
        if not inlinable(node) or nesting > _MAX_NESTING:
            f = self.const(self.closure(node))
            self.out(ind, f"if not {f}({x}, {d}, a):")
            self.out(ind + 1, "return False")
            return
        kind = node["type"]
        if kind == "any":
            return
        if kind == "null":
            self.out(ind, f"if {x} is not None:")
            self.out(ind + 1, "return False")
            return
        if node["nullable"]:
            self.out(ind, f"if {x} is not None:")
            ind += 1
        getattr(self, "_" + kind)(node, x, d, ind, nesting)

    def _size(self, x: str, lo: int | None, hi: int | None, ind: int) -> None:
        """``return False`` unless ``len(x)`` is within the bounds that are set."""
        if lo is not None and hi is not None:
            self.out(ind, f"if not {lo} <= len({x}) <= {hi}:")
            self.out(ind + 1, "return False")
        elif lo is not None:
            self.out(ind, f"if len({x}) < {lo}:")
            self.out(ind + 1, "return False")
        elif hi is not None:
            self.out(ind, f"if len({x}) > {hi}:")
            self.out(ind + 1, "return False")

    def _string(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        self.out(ind, f"if type({x}) is not str and not isinstance({x}, str):")
        self.out(ind + 1, "return False")
        self._size(x, node["min_length"], node["max_length"], ind)
        if node["pattern"] is not None:
            found = self.const(self.ns["_searcher"](node))
            self.out(ind, f"if not {found}({x}):")
            self.out(ind + 1, "return False")
        if node["format"] in WHOLE_MATCHES:  # its pattern called directly, not through a wrapper
            self.out(ind, f"if {self.const(WHOLE_MATCHES[node['format']])}({x}) is None:")
            self.out(ind + 1, "return False")
        elif node["format"] is not None:
            fmt = self.const(FORMATS[node["format"]])
            self.out(ind, f"if not {fmt}({x}):")
            self.out(ind + 1, "return False")

    def _number(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        t = self.var("t")
        self.out(ind, f"{t} = type({x})")
        if node["type"] == "integer":
            self.out(ind, f"if {t} is not int and ({t} is bool or not isinstance({x}, int)):")
            self.out(ind + 1, "return False")
        else:
            self.out(ind, f"if {t} is not int:")
            self.out(ind + 1, f"if isinstance({x}, float):")
            self.out(ind + 2, f"if not _isfinite({x}):")
            self.out(ind + 3, "return False")
            self.out(ind + 1, f"elif {t} is bool or not isinstance({x}, int):")
            self.out(ind + 2, "return False")
        bounds = (("min", ">="), ("max", "<="), ("exclusive_min", ">"), ("exclusive_max", "<"))
        for key, op in bounds:
            if node[key] is not None:
                self.out(ind, f"if not {x} {op} {self.const(node[key])}:")
                self.out(ind + 1, "return False")
        if node["multiple_of"] is not None:
            m = self.const(node["multiple_of"])
            self.out(ind, f"if not _multiple({x}, {m}):")
            self.out(ind + 1, "return False")

    _integer = _number

    def _boolean(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        self.out(ind, f"if {x} is not True and {x} is not False:")
        self.out(ind + 1, "return False")

    def _literal(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        values = node["values"]
        match = self.const(self.ns["_matcher"](values, node.get("enum_class")))
        strs = [v for v in values if isinstance(v, str)]
        if strs and node.get("enum_class") is None:
            s = self.const(frozenset(strs))
            self.out(ind, f"if type({x}) is str:")
            self.out(ind + 1, f"if {x} not in {s}:")
            self.out(ind + 2, "return False")
            self.out(ind, f"elif not {match}({x}):")
        else:
            self.out(ind, f"if not {match}({x}):")
        self.out(ind + 1, "return False")

    _enum = _literal

    def _enter(self, x: str, d: str, ind: int) -> str:
        """The depth check of a container; returns the children's depth variable."""
        self.out(ind, f"if {d} >= {self.max_depth}:")
        self.out(ind + 1, "return False")
        child = self.var("d")
        self.out(ind, f"{child} = {d} + 1")
        return child

    def _object(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        # A subclass is read as a plain dict, whatever it overrides: a plain copy of its entries
        # (the common plain dict then reads each property by subscript, the quickest lookup).
        self.out(ind, f"if type({x}) is not dict:")
        self.out(ind + 1, f"if not isinstance({x}, dict):")
        self.out(ind + 2, "return False")
        self.out(ind + 1, f"{x} = dict(_ditems({x}))")
        cd = self._enter(x, d, ind)
        found = self.var("n")
        required = sum(1 for _, req, _ in node["properties"] if req)
        optional = len(node["properties"]) - required
        if optional:
            self.out(ind, f"{found} = {required}")
        for name, req, child in node["properties"]:
            y = self.var("y")
            if req:
                self.out(ind, "try:")
                self.out(ind + 1, f"{y} = {x}[{name!r}]")
                self.out(ind, "except KeyError:")
                self.out(ind + 1, "return False")
                self.node(child, y, cd, ind, nesting + 1)
            else:
                self.out(ind, f"{y} = {x}.get({name!r}, _MISSING)")
                self.out(ind, f"if {y} is not _MISSING:")
                self.out(ind + 1, f"{found} += 1")
                self.node(child, y, cd, ind + 1, nesting + 1)
        count = found if optional else str(required)
        names = self.const(frozenset(name for name, _, _ in node["properties"]))
        k = self.var("k")
        v = self.var("v")
        extra = node["extra"]
        self.out(ind, f"if len({x}) != {count}:")
        if isinstance(extra, dict):  # its checks may change the dict: the entries as they were
            self.out(ind + 1, f"for {k}, {v} in list({x}.items()):")
        else:
            self.out(ind + 1, f"for {k} in {x}:")
        self.out(ind + 2, f"if type({k}) is not str and not isinstance({k}, str):")
        self.out(ind + 3, "return False")
        if extra == "forbid":
            self.out(ind + 2, f"if {k} not in {names}:")
            self.out(ind + 3, "return False")
        elif isinstance(extra, dict):
            self.out(ind + 2, f"if {k} not in {names}:")
            self.out(ind + 3, "pass")  # an `any` extra writes no lines of its own
            self.node(extra, v, cd, ind + 3, nesting + 1)

    def _record(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        self.out(ind, f"if type({x}) is not dict and not isinstance({x}, dict):")
        self.out(ind + 1, "return False")
        cd = self._enter(x, d, ind)
        k, y = self.var("k"), self.var("y")
        entries = f"list(_ditems({x}))" if node.get("snapshot", True) else f"_ditems({x})"
        self.out(ind, f"for {k}, {y} in {entries}:")
        self.out(ind + 1, f"if type({k}) is not str and not isinstance({k}, str):")
        self.out(ind + 2, "return False")
        self.node(node["values"], y, cd, ind + 1, nesting + 1)

    def _array(self, node: dict[str, Any], x: str, d: str, ind: int, nesting: int) -> None:
        t = self.var("t")
        self.out(ind, f"{t} = type({x})")
        self.out(ind, f"if {t} is not list and {t} is not tuple:")
        self.out(ind + 1, f"if not isinstance({x}, _ARRAYS):")
        self.out(ind + 2, "return False")
        self.out(ind + 1, f"{x} = _stored({x})")  # as stored, whatever a subclass overrides
        if node.get("snapshot", True):
            self.out(ind, f"elif {t} is list:")
            self.out(ind + 1, f"{x} = list.copy({x})")
        cd = self._enter(x, d, ind)
        self._size(x, node["min_items"], node["max_items"], ind)
        y = self.var("y")
        if node["items"]["type"] != "any":
            self.out(ind, f"for {y} in {x}:")
            self.node(node["items"], y, cd, ind + 1, nesting + 1)
        if node["unique_items"]:
            self.out(ind, f"if _first_repeat({x})[0]:")
            self.out(ind + 1, "return False")


def generate(
    node: dict[str, Any],
    max_depth: int,
    closure: Callable[[dict[str, Any]], Any],
    helpers: dict[str, Any],
) -> Callable[[Any, int, Any], bool]:
    """The generated fast path for an inlinable ``node``."""
    em = _Emitter(max_depth, closure, helpers)
    em.node(node, "v", "d", 1, 0)
    source = "\n".join(["def ok(v, d, a):", *em.lines, "    return True", ""])
    code = compile(source, f"<gati gtype fast path {id(node):x}>", "exec")
    exec(code, em.ns)
    ok: Callable[[Any, int, Any], bool] = em.ns["ok"]
    return ok
