"""The pure twin of the native output builder: ``Validator.convert`` and ``Validator.dump``.

Both run after validation has passed, over the same plan (docs/gtype.md §9):

* ``dump`` (serialising a response *through* its schema) drops the keys an ``extra="ignore"``
  object does not declare and leaves everything else as it is;
* ``convert`` also calls each node's ``convert`` (``UUID``, ``datetime``, ``Decimal``, an enum
  member, a dataclass or NamedTuple built from the converted fields …) and fills a missing
  optional property from its schema ``default``.

A node whose subtree can change nothing compiles to ``None`` and its value is passed through
untouched, so the valid path of a schema without conversions costs one dict walk per object.
A container whose children all came back unchanged is returned as it is (the same object);
an object that changed is a copy of the input (keys in its order) with the changes applied and
missing defaults appended in schema order.
A converter raising ``ValueError`` or ``AssertionError`` stops the build with one ``custom``
error at the value's path; the path is assembled while the failure unwinds.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from gati._pure.gtype import (
    _LEVELS_PER_THREAD,
    _SEGMENT,
    Call,
    _Compiler,
    _error,
    _on_fresh_stack,
    stored,
)

__all__ = ["ConversionFailed", "compile_builder"]

Build = Callable[[Any, int], Any]
_MISSING: Any = object()
# The plain unions' answers for the build under way (a fresh ``Call`` per build, seen on the
# fresh stacks deep refs hop to): the nested unions a build meets decide the same containers
# at the same depths as the member trials before them, so each is decided once per build.
_TRIALS: ContextVar[Call] = ContextVar("gati_build_trials")


class ConversionFailed(Exception):
    """A converter refused a value; ``error`` is the ``custom`` error, its path filled in."""

    def __init__(self, msgs: dict[str, list[str]], value: Any, message: str) -> None:
        super().__init__(message)
        self.error = _error((), "custom", msgs, value)
        self.error["message"] = message
        self.segments: list[Any] = []  # innermost first, while unwinding

    def at(self, segment: Any) -> ConversionFailed:
        self.segments.append(segment)
        return self


def _default(value: Any) -> Any:
    """A fresh copy of a mutable default, so outputs never share one list or dict."""
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def _instance_maker(cls: Any) -> Callable[..., Any]:
    """``cls(**fields)`` without running ``__init__`` (the planner checked it is the same)."""
    new, set_attr = cls.__new__, object.__setattr__

    def make(**fields: Any) -> Any:
        instance = new(cls)
        set_attr(instance, "__dict__", fields)
        return instance

    return make


def _call(f: Any, msgs: dict[str, list[str]], value: Any, /, *args: Any, **kwargs: Any) -> Any:
    try:
        return f(*args, **kwargs)
    except (ValueError, AssertionError) as exc:
        raise ConversionFailed(msgs, value, str(exc)) from None


class _Builder:
    """Turns plan nodes into ``build(value, depth)`` closures (or None: nothing to build)."""

    def __init__(self, plan: dict[str, Any], converting: bool) -> None:
        self.converting = converting
        self.definitions: dict[str, dict[str, Any]] = plan["definitions"]
        self.checks = _Compiler(plan)
        self.refs: dict[str, list[Build | None]] = {}
        self.unions = False  # some plain union decides a member: builds need a ``Call``

    def node(self, node: dict[str, Any]) -> Build | None:
        build = getattr(self, "_" + node["type"], self._scalar)(node)
        if build is None or not node["nullable"]:
            return build
        inner = build
        return lambda v, d: None if v is None else inner(v, d)

    def _convert(self, node: dict[str, Any]) -> Any:
        return node["convert"] if self.converting else None

    def _scalar(self, node: dict[str, Any]) -> Build | None:
        f, msgs = self._convert(node), node["msgs"]
        if f is None:
            return None
        return lambda v, d: _call(f, msgs, v, v)

    def _object(self, node: dict[str, Any]) -> Build | None:
        entries = [
            (name, self.node(child), self.converting and not required and "default" in child)
            for name, required, child in node["properties"]
        ]
        defaults = {name: child.get("default") for name, _, child in node["properties"]}
        names = frozenset(defaults)
        extra = node["extra"]
        keep_extra = extra != "ignore"  # "forbid" never meets an undeclared key
        build_extra = self.node(extra) if isinstance(extra, dict) else None
        f, msgs = self._convert(node), node["msgs"]
        if f is not None and node["instance_dict"]:
            f = _instance_maker(f)
        unchanged = all(b is None and not filled for _, b, filled in entries)
        if keep_extra and f is None and build_extra is None and unchanged:
            return None

        def build(v: Any, d: int) -> Any:
            d += 1
            changes: list[tuple[str, Any]] = []
            found = 0
            for name, b, filled in entries:
                x = v.get(name, _MISSING)
                if x is _MISSING:
                    if filled:
                        changes.append((name, _default(defaults[name])))
                    continue
                found += 1
                if b is not None:
                    try:
                        y = b(x, d)
                    except ConversionFailed as failed:
                        raise failed.at(name) from None
                    if y is not x:
                        changes.append((name, y))
            drop = False
            if found != len(v):
                if not keep_extra:
                    drop = True
                elif build_extra is not None:
                    for k, x in v.items():
                        if k not in names:
                            try:
                                y = build_extra(x, d)
                            except ConversionFailed as failed:
                                raise failed.at(k) from None
                            if y is not x:
                                changes.append((k, y))
            if not changes and not drop and f is None:
                return v
            out = dict.copy(v)
            if drop:
                for k in [k for k in v if k not in names]:
                    del out[k]
            out.update(changes)
            return out if f is None else _call(f, msgs, v, **out)

        return build

    def _record(self, node: dict[str, Any]) -> Build | None:
        values = self.node(node["values"])
        f, msgs = self._convert(node), node["msgs"]
        if values is None:
            return None if f is None else (lambda v, d: _call(f, msgs, v, v))

        def build(v: Any, d: int) -> Any:
            out, same = {}, True
            for k, x in v.items():
                try:
                    y = values(x, d + 1)
                except ConversionFailed as failed:
                    raise failed.at(k) from None
                out[k] = y
                same = same and y is x
            result = v if same else out
            return result if f is None else _call(f, msgs, v, result)

        return build

    def _items(
        self, builds: Callable[[int], Build | None], v: Any, d: int
    ) -> tuple[list[Any], bool]:
        out, same = [], True
        for i, x in enumerate(stored(v)):  # as validation read them, whatever converters change
            b = builds(i)
            if b is not None:
                try:
                    y = b(x, d + 1)
                except ConversionFailed as failed:
                    raise failed.at(i) from None
                same = same and y is x
                x = y
            out.append(x)
        return out, same

    def _array(self, node: dict[str, Any]) -> Build | None:
        item = self.node(node["items"])
        f, msgs = self._convert(node), node["msgs"]
        if item is None and f is None:
            return None

        def build(v: Any, d: int) -> Any:
            out, same = self._items(lambda i: item, v, d)
            if f is not None:
                return _call(f, msgs, v, out)
            return v if same else out

        return build

    def _tuple(self, node: dict[str, Any]) -> Build | None:
        items = [self.node(child) for child in node["items"]]
        rest = None if node["rest"] is None else self.node(node["rest"])
        f, msgs = self._convert(node), node["msgs"]
        if f is None and rest is None and all(b is None for b in items):
            return None
        n = len(items)

        def build(v: Any, d: int) -> Any:
            out, same = self._items(lambda i: items[i] if i < n else rest, v, d)
            if f is not None:
                return _call(f, msgs, v, out)
            return v if same else out

        return build

    def _union(self, node: dict[str, Any]) -> Build | None:
        builds = [self.node(m) for m in node["members"]]
        if all(b is None for b in builds):
            return None
        tagged = 1 if node["discriminator"] is not None else 0
        members = [
            (self.checks.fast(m, self.checks.node(m)[0]), b)
            for m, b in zip(node["members"], builds, strict=True)
        ]

        self.unions = True

        def build(v: Any, d: int) -> Any:
            trials = _TRIALS.get()
            for ok, b in members:  # the member validation picked: the first that accepts
                if ok(v, d + tagged, trials):
                    return v if b is None else b(v, d + tagged)
            return v  # unreachable after validation

        return build

    def _intersection(self, node: dict[str, Any]) -> Build | None:
        members = node["members"]
        return self.node(members[0]) if len(members) == 1 else None

    def _ref(self, node: dict[str, Any]) -> Build | None:
        name: str = node["name"]
        cell = self.refs.get(name)
        if cell is None:
            cell = self.refs[name] = [None]
            cell[0] = self.node(self.definitions[name])

        def build(v: Any, d: int) -> Any:
            target = cell[0]
            if target is None:
                return v
            if d - _SEGMENT.base >= _LEVELS_PER_THREAD:  # deep data: as validation does
                return _on_fresh_stack(target, v, d)
            return target(v, d)

        return build


def compile_builder(plan: dict[str, Any], *, converting: bool) -> Build:
    """The whole plan's builder: ``convert`` when ``converting``, else ``dump``."""
    builder = _Builder(plan, converting)
    build = builder.node(plan["root"])
    if build is None:
        return lambda v, d: v
    if not builder.unions:
        return build
    root = build

    def with_trials(v: Any, d: int) -> Any:
        token = _TRIALS.set(Call())
        try:
            return root(v, d)
        finally:
            _TRIALS.reset(token)

    return with_trials
