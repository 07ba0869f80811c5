"""The pure-Python validator: a plan compiled once into closures (docs/gtype.md §4–§7).

Every plan node becomes two closures sharing their precomputed state:

* ``ok(value, depth, active) -> bool`` — the fast path: builds nothing, stops at the first
  problem. ``validate`` and ``is_valid`` run only this on valid input.
* ``err(value, depth, active, path, sink)`` — the slow path, run only on invalid input: reports
  every error in the documented order into ``sink``.

``depth`` counts the containers entered so far; ``active`` is the call's ``Call`` (``None``
for schemas without refs or plain unions).
"""

from __future__ import annotations

import contextvars
import math
import sys
import threading
from collections.abc import Callable
from typing import Any

from gati._pure.fastpath import generate, inlinable
from gati._pure.formats import FORMATS
from gati._pure.jsonparse import JSONProblem, parse
from gati._pure.patterns import searcher
from gati._pure.unique import SCALAR_KINDS as _SCALAR_KINDS
from gati._pure.unique import first_repeat as _first_repeat
from gati._pure.unique import json_kind as _kind
from gati.errors import ValidationError

__all__ = ["Call", "Validator", "actual"]

Ok = Callable[[Any, int, Any], bool]
Err = Callable[[Any, int, Any, tuple[Any, ...], "_Sink"], None]
Msgs = dict[str, list[str]]

_MISSING: Any = object()
# A dict is read as a plain dict, whatever a subclass overrides (docs/gtype.md §5).
_dget, _dlen, _dkeys, _ditems = dict.get, dict.__len__, dict.keys, dict.items
_WHOLE = slice(None)


def stored(v: Any) -> Any:
    """An array's items as stored, read once (docs/gtype.md §5), as a list or tuple: a
    subclass of ``list``, ``tuple``, ``set`` or ``frozenset`` is read as its base type
    whatever it overrides, and a list is a copy, so what outside code changes meanwhile is not
    seen. The native twin is ``rust/gtype/array.rs::stored``."""
    if isinstance(v, list):
        return list.copy(v)
    if isinstance(v, tuple):
        return tuple.__getitem__(v, _WHOLE)
    return list(set.__iter__(v) if isinstance(v, set) else frozenset.__iter__(v))


_CONTAINERS = (dict, list, tuple, set, frozenset)
_ARRAYS = (list, tuple, set, frozenset)
_INT_LOW, _INT_HIGH = -(2**63), 2**64
# Kinds whose closures accept None themselves when the node is nullable (saving a call).
_NULL_INLINE = frozenset({"string", "number", "integer", "object", "array", "record", "tuple"})


def actual(value: Any) -> Any:
    """The JSON-friendly ``actual`` of an error (docs/gtype.md §6)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value) if _INT_LOW <= value < _INT_HIGH else "<int>"
    if isinstance(value, str):
        text = str.__str__(value)
        return text if len(text) <= 80 else text[:80] + "…"
    return f"<{type(value).__name__}>"


def _error(path: tuple[Any, ...], code: str, msgs: Msgs, value: Any) -> dict[str, Any]:
    expected, message = msgs[code]
    return {
        "path": path,
        "code": code,
        "expected": expected,
        "actual": actual(value),
        "message": message,
    }


class _TooMany(Exception):
    """Raised by a full sink: validation stops there."""


class _Sink:
    """Collects errors up to ``limit``; one more stops the walk. ``in_member``: collecting one
    union member's errors, where a union failing inside reports its ``union_mismatch`` without
    ``members`` (docs/gtype.md §5)."""

    __slots__ = ("errors", "in_member", "limit")

    def __init__(self, limit: int, *, in_member: bool = False) -> None:
        self.errors: list[dict[str, Any]] = []
        self.limit = limit
        self.in_member = in_member

    def add(self, error: dict[str, Any]) -> None:
        if len(self.errors) >= self.limit:
            raise _TooMany
        self.errors.append(error)


class Call:
    """What one validation call carries through refs and plain unions.

    ``active``: the ``(ref, id(container))`` pairs being validated through refs. ``outcomes``:
    whether some member of a plain union accepted a container at a depth, keyed by ``(union,
    id(container), depth)`` with the container held alive until the call ends, so nested unions
    never try their members on the same subtree twice (each level of a recursive union would
    otherwise try every member on the whole subtree: 2^depth). For a value that holds no cycle
    nothing else changes the answer; one found while meeting a recursion loop (``detours``
    counts them) is not kept. The native twin is ``rust/gtype/trials.rs``.
    """

    __slots__ = ("active", "detours", "outcomes")

    def __init__(self) -> None:
        self.active: set[tuple[str, int]] = set()
        self.outcomes: dict[tuple[int, int, int], tuple[Any, bool]] = {}
        self.detours = 0


def _base(v: Any) -> Any:
    """A ``str``, ``int`` or ``float`` as its exact base type: no overridden ``__eq__`` or
    ``__hash__`` runs on it."""
    t = type(v)
    if t is str or t is int or t is float or t is bool:
        return v
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):
        return int.__index__(v)
    return float.__float__(v) if isinstance(v, float) else v


def _matcher(values: list[Any], enum_class: type | None) -> Callable[[Any], bool]:
    """Literal/enum matching: bools only match bools; others need ``==`` and the same JSON kind."""
    bools = frozenset(v for v in values if isinstance(v, bool))
    strs = frozenset(v for v in values if isinstance(v, str))
    nums = frozenset(v for v in values if _kind(v) == "num")
    has_none = None in values

    def match(v: Any) -> bool:
        if isinstance(v, bool):
            return v in bools
        if isinstance(v, str):
            return (v if type(v) is str else str.__str__(v)) in strs
        if isinstance(v, int | float):
            return _base(v) in nums
        if v is None:
            return has_none
        return enum_class is not None and isinstance(v, enum_class)

    if enum_class is None:
        return match
    cls = enum_class
    return lambda v: isinstance(v, cls) or match(v)


def _multiple(value: Any, m: Any) -> bool:
    if isinstance(value, int) and isinstance(m, int):
        return value % m == 0
    try:
        q = value / m
    except OverflowError:
        return False
    return math.isfinite(q) and float(q).is_integer()


class _Compiler:
    """Turns plan nodes into ``(ok, err)`` closure pairs."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.max_depth: int = plan["max_depth"]
        self.max_errors: int = plan["max_errors"]
        self.gmsgs: Msgs = plan["msgs"]
        self.definitions: dict[str, dict[str, Any]] = plan["definitions"]
        self.compiled: dict[str, list[Any]] = {}
        self.stateful = False  # some ref or plain union needs a ``Call``
        self.searchers: dict[tuple[Any, ...], Callable[[str], bool | None]] = {}

    def node(self, node: dict[str, Any]) -> tuple[Ok, Err]:
        ok, err = getattr(self, "_" + node["type"])(node, node["msgs"])
        if node["type"] in _NULL_INLINE and not node["validators"]:
            return ok, err
        if node["validators"]:
            ok = self.fast({**node, "nullable": False, "validators": []}, ok)
        return self._wrap(ok, err, node["nullable"], node["validators"], node["msgs"])

    def nodes(self, nodes: list[dict[str, Any]]) -> list[tuple[dict[str, Any], tuple[Ok, Err]]]:
        """Each node with its closures."""
        return [(n, self.node(n)) for n in nodes]

    def fast(self, node: dict[str, Any], ok: Ok) -> Ok:
        """The generated fast path for ``node`` where one can be written, else ``ok``."""
        if not inlinable(node):
            return ok
        helpers = {**_HELPERS, "_searcher": self.searcher}
        return generate(node, self.max_depth, lambda child: self.node(child)[0], helpers)

    def _wrap(
        self, ok0: Ok, err0: Err, nullable: bool, validators: list[Any], msgs: Msgs
    ) -> tuple[Ok, Err]:
        if not validators:
            if not nullable:
                return ok0, err0

            def ok_null(v: Any, d: int, a: Any) -> bool:
                return v is None or ok0(v, d, a)

            def err_null(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
                if v is not None:
                    err0(v, d, a, p, s)

            return ok_null, err_null
        checks = tuple(validators)

        def verdict(f: Any, v: Any) -> str | None:
            """None when ``f`` accepts ``v``, else the error message."""
            try:
                r = f(v)
            except (ValueError, AssertionError) as exc:
                return str(exc)
            if isinstance(r, str):
                return r
            return None if r else msgs["custom"][1]

        def ok(v: Any, d: int, a: Any) -> bool:
            if v is None and nullable:
                return True
            if not ok0(v, d, a):
                return False
            # Not all(...) over a generator: a validator's StopIteration must propagate as is.
            for f in checks:  # noqa: SIM110
                if verdict(f, v) is not None:
                    return False
            return True

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if v is None and nullable:
                return
            before = len(s.errors)
            err0(v, d, a, p, s)
            if len(s.errors) != before:
                return
            for f in checks:
                message = verdict(f, v)
                if message is not None:
                    e = _error(p, "custom", msgs, v)
                    e["message"] = message
                    s.add(e)

        return ok, err

    # -- scalars -------------------------------------------------------------------------------

    def searcher(self, node: dict[str, Any]) -> Callable[[str], bool | None]:
        """The pattern search of a string node, shared by its fast and exact paths so that a
        value's pattern runs once. Keyed by what the search depends on, never by ``id``: the
        fast path of a node with validators is generated from a short-lived copy, whose id a
        later copy of another node may reuse."""
        key = (
            node["pattern"],
            node["pattern_engine"],
            node.get("pattern_bounded"),
            node.get("pattern_re2"),
            node.get("pattern_timeout"),
        )
        found = self.searchers.get(key)
        if found is None:
            found = self.searchers[key] = searcher(node)
        return found

    def _string(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        lo, hi = node["min_length"], node["max_length"]
        sized = lo is not None or hi is not None
        low, high = lo or 0, sys.maxsize if hi is None else hi
        found = None if node["pattern"] is None else self.searcher(node)
        fmt = None if node["format"] is None else FORMATS[node["format"]]

        def ok(v: Any, d: int, a: Any) -> bool:
            if type(v) is not str and not isinstance(v, str):
                return v is None and nullable
            if sized and not low <= len(v) <= high:
                return False
            if found is not None and not found(v):
                return False
            return fmt is None or fmt(v)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not isinstance(v, str):
                if v is None and nullable:
                    return None
                return s.add(_error(p, "string_type", msgs, v))
            if sized and not low <= len(v) <= high:  # only the length: no pattern, no format
                code = "string_min_length" if len(v) < low else "string_max_length"
                return s.add(_error(p, code, msgs, v))
            if found is not None:
                answer = found(v)
                if answer is None:
                    s.add(_error(p, "string_pattern_timeout", msgs, v))
                elif not answer:
                    s.add(_error(p, "string_pattern", msgs, v))
            if fmt is not None and not fmt(v):
                s.add(_error(p, "string_format", msgs, v))
            return None

        return ok, err

    def _number(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        integer = node["type"] == "integer"
        checks = [
            (code, bound, test)
            for code, bound, test in (
                ("number_min", node["min"], lambda v, b: v >= b),
                ("number_max", node["max"], lambda v, b: v <= b),
                ("number_exclusive_min", node["exclusive_min"], lambda v, b: v > b),
                ("number_exclusive_max", node["exclusive_max"], lambda v, b: v < b),
                ("number_multiple_of", node["multiple_of"], _multiple),
            )
            if bound is not None
        ]
        mn, mx, emn, emx, mult = (
            node["min"],
            node["max"],
            node["exclusive_min"],
            node["exclusive_max"],
            node["multiple_of"],
        )
        type_code = "integer_type" if integer else "number_type"

        def kind_ok(v: Any) -> bool:
            t = type(v)
            if t is int:
                return True
            if integer:
                return isinstance(v, int) and t is not bool
            if isinstance(v, float):
                return math.isfinite(v)
            return isinstance(v, int) and t is not bool

        def ok(v: Any, d: int, a: Any) -> bool:
            if type(v) is not int and not kind_ok(v):
                return v is None and nullable
            if mn is not None and not v >= mn:
                return False
            if mx is not None and not v <= mx:
                return False
            if emn is not None and not v > emn:
                return False
            if emx is not None and not v < emx:
                return False
            return mult is None or _multiple(v, mult)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if isinstance(v, bool) or not isinstance(v, int if integer else int | float):
                if v is None and nullable:
                    return None
                return s.add(_error(p, type_code, msgs, v))
            if isinstance(v, float) and not math.isfinite(v):
                return s.add(_error(p, "number_finite", msgs, v))
            for code, bound, test in checks:
                if not test(v, bound):
                    s.add(_error(p, code, msgs, v))
            return None

        return ok, err

    _integer = _number

    def _simple(self, test: Callable[[Any], bool], code: str, msgs: Msgs) -> tuple[Ok, Err]:
        def ok(v: Any, d: int, a: Any) -> bool:
            return test(v)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not test(v):
                s.add(_error(p, code, msgs, v))

        return ok, err

    def _boolean(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        return self._simple(lambda v: isinstance(v, bool), "boolean_type", msgs)

    def _null(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        return self._simple(lambda v: v is None, "null_type", msgs)

    def _any(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        return self._simple(lambda v: True, "", msgs)

    def _literal(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        code = node["type"] + "_error"
        return self._simple(_matcher(node["values"], node.get("enum_class")), code, msgs)

    _enum = _literal

    # -- containers ----------------------------------------------------------------------------

    def _too_deep(self, p: tuple[Any, ...], v: Any) -> dict[str, Any]:
        return _error(p, "depth_exceeded", self.gmsgs, v)

    def _dict_opens(
        self,
        v: Any,
        d: int,
        p: tuple[Any, ...],
        s: _Sink,
        nullable: bool,
        type_code: str,
        msgs: Msgs,
    ) -> bool:
        """The checks objects and records share before their entries: type, depth, key types.

        Records their errors; True when the entries are to be checked.
        """
        if not isinstance(v, dict):
            if not (v is None and nullable):
                s.add(_error(p, type_code, msgs, v))
            return False
        if d >= self.max_depth:
            s.add(self._too_deep(p, v))
            return False
        for k in _dkeys(v):
            if not isinstance(k, str):
                s.add(_error(p, "key_type", msgs, k))
        return True

    def _object(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        props = [(name, req, *self.node(child)) for name, req, child in node["properties"]]
        fast = tuple((name, req, ok) for name, req, ok, _ in props)
        names = frozenset(name for name, _, _, _ in props)
        extra = node["extra"]
        forbid = extra == "forbid"
        x_ok, x_err = self.node(extra) if isinstance(extra, dict) else (None, None)
        max_depth = self.max_depth

        def ok(v: Any, d: int, a: Any) -> bool:
            if type(v) is not dict and not isinstance(v, dict):
                return v is None and nullable
            if d >= max_depth:
                return False
            d += 1
            get = v.get if type(v) is dict else _dget.__get__(v)
            found = 0
            for name, req, f in fast:
                x = get(name, _MISSING)
                if x is _MISSING:
                    if req:
                        return False
                elif f(x, d, a):
                    found += 1
                else:
                    return False
            if found != _dlen(v):
                for k, x in list(_ditems(v)):  # as stored now, whatever `x_ok` changes
                    if type(k) is not str and not isinstance(k, str):
                        return False
                    if k in names:
                        continue
                    if forbid or (x_ok is not None and not x_ok(x, d, a)):
                        return False
            return True

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not self._dict_opens(v, d, p, s, nullable, "object_type", msgs):
                return None
            d += 1
            for name, req, _, f in props:
                x = _dget(v, name, _MISSING)
                if x is _MISSING:
                    if req:
                        s.add(_error((*p, name), "object_missing", msgs, v))
                else:
                    f(x, d, a, (*p, name), s)
            if forbid or x_err is not None:
                for k, x in list(_ditems(v)):
                    if isinstance(k, str) and k not in names:
                        if x_err is None:
                            s.add(_error((*p, k), "object_extra", msgs, x))
                        else:
                            x_err(x, d, a, (*p, k), s)
            return None

        return ok, err

    def _record(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        val_ok, val_err = self.node(node["values"])
        snapshot = node.get("snapshot", True)  # values may change the dict: walk it as it was
        max_depth = self.max_depth

        def ok(v: Any, d: int, a: Any) -> bool:
            if type(v) is not dict and not isinstance(v, dict):
                return v is None and nullable
            if d >= max_depth:
                return False
            d += 1
            for k, x in list(_ditems(v)) if snapshot else _ditems(v):
                if type(k) is not str and not isinstance(k, str):
                    return False
                if not val_ok(x, d, a):
                    return False
            return True

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not self._dict_opens(v, d, p, s, nullable, "record_type", msgs):
                return None
            for k, x in list(_ditems(v)) if snapshot else _ditems(v):
                if isinstance(k, str):
                    val_err(x, d + 1, a, (*p, k), s)
            return None

        return ok, err

    def _array(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        item_ok, item_err = self.node(node["items"])
        lo, hi, unique = node["min_items"], node["max_items"], node["unique_items"]
        snapshot = node.get("snapshot", True)
        sized = lo is not None or hi is not None
        low, high = lo or 0, sys.maxsize if hi is None else hi
        max_depth = self.max_depth

        def ok(v: Any, d: int, a: Any) -> bool:
            t = type(v)
            if t is not list and t is not tuple:
                if not isinstance(v, _ARRAYS):
                    return v is None and nullable
                v = stored(v)
            elif snapshot and t is list:
                v = list.copy(v)
            if d >= max_depth:
                return False
            if sized and not low <= len(v) <= high:
                return False
            d += 1
            for x in v:
                if not item_ok(x, d, a):
                    return False
            return not unique or not _first_repeat(v)[0]

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not isinstance(v, _ARRAYS):
                if v is None and nullable:
                    return None
                return s.add(_error(p, "array_type", msgs, v))
            if d >= max_depth:
                return s.add(self._too_deep(p, v))
            items = stored(v) if snapshot or type(v) is not list else v
            if lo is not None and len(items) < lo:
                s.add(_error(p, "array_min_items", msgs, v))
            if hi is not None and len(items) > hi:
                s.add(_error(p, "array_max_items", msgs, v))
            for i, x in enumerate(items):
                item_err(x, d + 1, a, (*p, i), s)
            if unique:
                repeated, item = _first_repeat(items)
                if repeated:
                    s.add(_error(p, "array_unique_items", msgs, item))
            return None

        return ok, err

    def _tuple(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        nullable = node["nullable"]
        items = [self.node(child) for child in node["items"]]
        rest = None if node["rest"] is None else self.node(node["rest"])
        n = len(items)
        max_depth = self.max_depth

        def length_ok(v: Any) -> bool:
            return len(v) == n or (rest is not None and len(v) > n)

        def ok(v: Any, d: int, a: Any) -> bool:
            if not isinstance(v, list | tuple):
                return v is None and nullable
            v = v if type(v) is tuple else stored(v)
            if d >= max_depth or not length_ok(v):
                return False
            d += 1
            for i, (f, _) in enumerate(items):
                if not f(v[i], d, a):
                    return False
            if rest is not None:
                f = rest[0]
                for i in range(n, len(v)):
                    if not f(v[i], d, a):
                        return False
            return True

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not isinstance(v, list | tuple):
                if v is None and nullable:
                    return None
                return s.add(_error(p, "tuple_type", msgs, v))
            if d >= max_depth:
                return s.add(self._too_deep(p, v))
            values = v if type(v) is tuple else stored(v)
            if not length_ok(values):
                return s.add(_error(p, "tuple_length", msgs, v))
            for i, (_, g) in enumerate(items):
                g(values[i], d + 1, a, (*p, i), s)
            if rest is not None:
                for i in range(n, len(values)):
                    rest[1](values[i], d + 1, a, (*p, i), s)
            return None

        return ok, err

    # -- combinators ---------------------------------------------------------------------------

    def _union(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        members = [(self.fast(m, ok), err) for m, (ok, err) in self.nodes(node["members"])]
        if node["discriminator"] is not None:
            return self._tagged(node, members, msgs)
        oks = tuple(f for f, _ in members)
        limit = self.max_errors
        gmsgs = self.gmsgs
        union = id(node)
        self.stateful = True

        def some_member(v: Any, d: int, a: Any) -> bool:
            for f in oks:  # noqa: SIM110 - a plain loop beats any() over a generator here
                if f(v, d, a):
                    return True
            return False

        def ok(v: Any, d: int, a: Call) -> bool:
            if not isinstance(v, _CONTAINERS):
                return some_member(v, d, a)
            key = (union, id(v), d)
            known = a.outcomes.get(key)
            if known is not None:
                return bool(known[1])
            detours = a.detours
            matched = some_member(v, d, a)
            if a.detours == detours:
                a.outcomes[key] = (v, matched)
            return matched

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if ok(v, d, a):
                return
            e = _error(p, "union_mismatch", msgs, v)
            if not s.in_member:
                reports = []
                for _, g in members:
                    sub = _Sink(limit, in_member=True)
                    try:
                        g(v, d, a, p, sub)
                    except _TooMany:
                        sub.errors.append(_error((), "too_many_errors", gmsgs, None))
                    reports.append(sub.errors)
                e["members"] = reports
            s.add(e)

        return ok, err

    def _tagged(
        self, node: dict[str, Any], members: list[tuple[Ok, Err]], msgs: Msgs
    ) -> tuple[Ok, Err]:
        disc: str = node["discriminator"]
        table = {tag: (i, _kind(tag)) for tag, i in node["mapping"].items()}
        max_depth = self.max_depth

        def pick(tag: Any) -> int:
            kind = _kind(tag)
            if kind not in _SCALAR_KINDS:  # not a JSON scalar: no tag, its __hash__ never runs
                return -1
            hit = table.get(_base(tag))
            return hit[0] if hit is not None and hit[1] == kind else -1

        def ok(v: Any, d: int, a: Any) -> bool:
            if not isinstance(v, dict) or d >= max_depth:
                return False
            tag = _dget(v, disc, _MISSING)
            i = -1 if tag is _MISSING else pick(tag)
            return i >= 0 and members[i][0](v, d + 1, a)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not isinstance(v, dict):
                return s.add(_error(p, "object_type", msgs, v))
            if d >= max_depth:
                return s.add(self._too_deep(p, v))
            tag = _dget(v, disc, _MISSING)
            if tag is _MISSING:
                return s.add(_error(p, "union_tag_missing", msgs, v))
            i = pick(tag)
            if i < 0:
                return s.add(_error((*p, disc), "union_tag_invalid", msgs, tag))
            return members[i][1](v, d + 1, a, p, s)

        return ok, err

    def _intersection(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        members = [(self.fast(m, ok), err) for m, (ok, err) in self.nodes(node["members"])]

        def ok(v: Any, d: int, a: Any) -> bool:
            return all(f(v, d, a) for f, _ in members)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            for _, g in members:
                g(v, d, a, p, s)

        return ok, err

    def _ref(self, node: dict[str, Any], msgs: Msgs) -> tuple[Ok, Err]:
        name: str = node["name"]
        self.stateful = True
        cell = self.compiled.get(name)
        if cell is None:
            cell = self.compiled[name] = [None, None]
            target = self.definitions[name]
            target_ok, target_err = self.node(target)
            cell[0], cell[1] = self.fast(target, target_ok), target_err
        gmsgs = self.gmsgs

        def ok(v: Any, d: int, a: Any) -> bool:
            if not isinstance(v, _CONTAINERS):
                return bool(cell[0](v, d, a))
            key = (name, id(v))
            if key in a.active:
                a.detours += 1
                return False
            a.active.add(key)
            try:
                if d - _SEGMENT.base >= _LEVELS_PER_THREAD:
                    return bool(_on_fresh_stack(cell[0], v, d, a))
                return bool(cell[0](v, d, a))
            finally:
                a.active.discard(key)

        def err(v: Any, d: int, a: Any, p: tuple[Any, ...], s: _Sink) -> None:
            if not isinstance(v, _CONTAINERS):
                cell[1](v, d, a, p, s)
                return
            key = (name, id(v))
            if key in a.active:
                a.detours += 1
                s.add(_error(p, "recursion_loop", gmsgs, v))
                return
            a.active.add(key)
            try:
                if d - _SEGMENT.base >= _LEVELS_PER_THREAD:
                    _on_fresh_stack(cell[1], v, d, a, p, s)
                else:
                    cell[1](v, d, a, p, s)
            finally:
                a.active.discard(key)

        return ok, err


class _Segment(threading.local):
    """The data depth at which this thread's part of a validation began."""

    base = 0


_SEGMENT = _Segment()
# Levels of data one thread descends through refs before the rest moves to a fresh thread: a
# few hundred frames, well inside the interpreter's default recursion limit.
_LEVELS_PER_THREAD = 48


def _on_fresh_stack(fn: Callable[..., Any], v: Any, d: int, *rest: Any) -> Any:
    """``fn(v, d, *rest)`` on a new thread (same context variables), its result or exception.

    Deep recursion through refs continues there instead of raising the interpreter's
    recursion limit, which is process-wide and guards every other piece of code too.
    """
    outcome: list[Any] = []

    def run() -> None:
        _SEGMENT.base = d
        try:
            outcome.append((True, fn(v, d, *rest)))
        except BaseException as exc:  # handed to the caller's thread, re-raised there
            outcome.append((False, exc))

    thread = threading.Thread(target=contextvars.copy_context().run, args=(run,))
    thread.start()
    thread.join()
    done, result = outcome[0]
    if not done:
        raise result
    return result


_HELPERS = {
    "_MISSING": _MISSING,
    "_ditems": _ditems,
    "_stored": stored,
    "_ARRAYS": _ARRAYS,
    "_multiple": _multiple,
    "_first_repeat": _first_repeat,
    "_matcher": _matcher,
}


class Validator:
    """Validates Python values and JSON documents against a plan (``gt.compile`` builds these)."""

    __slots__ = (
        "_builders",
        "_err",
        "_gmsgs",
        "_max_depth",
        "_max_errors",
        "_ok",
        "_plan",
        "_stateful",
        "schema",
    )

    def __init__(self, plan: dict[str, Any], schema: object | None = None) -> None:
        compiler = _Compiler(plan)
        ok, self._err = compiler.node(plan["root"])
        self._ok = compiler.fast(plan["root"], ok)
        self._stateful = compiler.stateful  # refs or plain unions: each call gets a ``Call``
        self._max_errors: int = plan["max_errors"]
        self._max_depth: int = plan["max_depth"]
        self._gmsgs: Msgs = plan["msgs"]
        self.schema = schema
        self._plan = plan
        self._builders: dict[bool, Any] = {}

    def is_valid(self, obj: Any) -> bool:
        """Whether ``obj`` is valid; builds no error objects."""
        try:
            return bool(self._ok(obj, 0, Call() if self._stateful else None))
        except RecursionError:  # the caller's own stack was nearly full
            return False

    def validate(self, obj: Any) -> Any:
        """Return ``obj`` itself if valid, else raise ``ValidationError`` listing every error."""
        try:
            if self._ok(obj, 0, Call() if self._stateful else None):
                return obj
        except RecursionError:
            pass
        raise self._invalid(obj)

    def _invalid(self, obj: Any) -> ValidationError:
        """The errors of ``obj``, which the fast path refused."""
        sink = _Sink(self._max_errors)
        try:
            self._err(obj, 0, Call() if self._stateful else None, (), sink)
        except _TooMany:
            sink.errors.append(_error((), "too_many_errors", self._gmsgs, None))
        except RecursionError:  # the caller's own stack was nearly full: no partial list
            sink.errors = [_error((), "depth_exceeded", self._gmsgs, obj)]
        return ValidationError(sink.errors)

    def validate_json(self, data: bytes | bytearray | memoryview | str) -> Any:
        """Parse a JSON document (RFC 8259, UTF-8) and validate it; returns the parsed value."""
        try:
            value = parse(data, self._max_depth)
        except JSONProblem as problem:
            error = _error((), problem.code, self._gmsgs, None)
            if problem.code == "json_invalid":
                error["message"] = f"Invalid JSON: {problem.detail}"
                error["line"], error["column"] = problem.line, problem.column
            raise ValidationError([error]) from None
        # validate's fast path written out: the call would cost more than the check around it.
        try:
            if self._ok(value, 0, Call() if self._stateful else None):
                return value
        except RecursionError:
            pass
        raise self._invalid(value)

    def convert(self, obj: Any) -> Any:
        """Validate ``obj``, then build Python objects per the schema (docs/gtype.md §9)."""
        return self._build(self.validate(obj), converting=True)

    def convert_json(self, data: bytes | bytearray | memoryview | str) -> Any:
        """Parse and validate a JSON document, then build Python objects per the schema."""
        return self._build(self.validate_json(data), converting=True)

    def dump(self, obj: Any) -> Any:
        """Validate ``obj`` and return it as its schema lets it out: undeclared keys dropped."""
        return self._build(self.validate(obj), converting=False)

    def _build(self, value: Any, *, converting: bool) -> Any:
        from gati._pure.output import ConversionFailed, compile_builder

        build = self._builders.get(converting)
        if build is None:
            build = self._builders[converting] = compile_builder(self._plan, converting=converting)
        try:
            return build(value, 0)
        except ConversionFailed as failed:
            failed.error["path"] = tuple(reversed(failed.segments))
            raise ValidationError([failed.error]) from None

    def __repr__(self) -> str:
        return f"<gati pure Validator for {self.schema!r}>"
