"""Schemas from source text: ``gt.*`` expressions evaluated from the AST, never executed.

The analyzer never imports handler modules, yet a document built from manifests should show
the same JSON Schemas as the running app. A schema option is nearly always a ``gt`` DSL
expression, or a module-level name bound to one, made of literals: that much is evaluated
here, by calling gati's own DSL builders on values read from the AST. Nothing else runs: a
call to anything but a ``gt`` builder, a name bound inside a function, a class (``gt.enum(Color)``,
``gt.from_type(Book)``) or any other expression raises ``Unresolved`` with the reason, which
the manifest records instead of a schema.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from gati.gtype import gt

__all__ = ["SchemaEvaluator", "Unresolved", "gt_imports"]

# the DSL's schema builders: pure functions of their (literal) arguments
BUILDERS: dict[str, Callable[..., Any]] = {
    name: getattr(gt, name)
    for name in ("any", "array", "boolean", "enum", "from_core", "integer", "intersection",
                 "literal", "null", "number", "object", "optional", "record", "ref", "string",
                 "tuple", "union")
}  # fmt: skip
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_MAX_DEPTH = 64  # names bound to names bound to ...; and nesting


class Unresolved(Exception):
    """An expression that cannot be evaluated statically; the message says why."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def gt_imports(tree: ast.Module) -> tuple[set[str], dict[str, str], set[str]]:
    """How a module reaches the DSL: names bound to ``gati.gt`` (``from gati import gt``),
    builders imported by name (``from gati.gt import string as s``: ``{"s": "string"}``),
    and names bound to the ``gati`` package (``import gati``: ``gati.gt.string``)."""
    namespaces: set[str] = set()
    builders: dict[str, str] = {}
    packages: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module in ("gati", "gati.gtype") and alias.name == "gt":
                    namespaces.add(bound)
                elif node.module in ("gati.gt", "gati.gtype.gt") and alias.name in BUILDERS:
                    builders[bound] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("gati.gt", "gati.gtype.gt") and alias.asname:
                    namespaces.add(alias.asname)
                elif alias.name.split(".")[0] == "gati" and alias.asname is None:
                    packages.add("gati")
    return namespaces, builders, packages


class SchemaEvaluator:
    """Evaluates expressions of one module against its module-level assignments."""

    def __init__(self, tree: ast.Module, assignments: Mapping[str, ast.expr]) -> None:
        self.assignments = assignments
        self.namespaces, self.builders, self.packages = gt_imports(tree)
        self._values: dict[str, Any] = {}
        self._active: set[str] = set()

    def schema(self, node: ast.expr) -> dict[str, Any]:
        """The core schema ``node`` evaluates to; ``Unresolved`` when it cannot be."""
        value = self.value(node, 0)
        if not isinstance(value, gt.Schema):
            raise Unresolved(f"{ast.unparse(node)} is not a gt schema")
        return value.core()

    def value(self, node: ast.expr, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise Unresolved("nested too deeply to evaluate")
        depth += 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | int | float | bool | type(None)):
                return node.value
        elif isinstance(node, ast.List | ast.Tuple):
            items = [self.value(e, depth) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        elif isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise Unresolved(f"{ast.unparse(node)}: ** in a dict is not evaluated")
            out: dict[Any, Any] = {}
            for k, v in zip(node.keys, node.values, strict=True):
                key = self.value(k, depth)  # type: ignore[arg-type]
                if not isinstance(key, str | int | float | bool | type(None)):
                    raise Unresolved(f"{ast.unparse(node)}: a key is not a scalar")
                out[key] = self.value(v, depth)
            return out
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.value(node.operand, depth)
            if _number(operand):
                return -operand if isinstance(node.op, ast.USub) else operand
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            left, right = self.value(node.left, depth), self.value(node.right, depth)
            if _number(left) and _number(right):
                try:
                    return _ARITHMETIC[type(node.op)](left, right)
                except ArithmeticError as exc:
                    raise Unresolved(f"{ast.unparse(node)}: {exc}") from None
        elif isinstance(node, ast.Name):
            return self._name(node.id, depth)
        elif isinstance(node, ast.Call):
            return self._call(node, depth)
        raise Unresolved(f"{ast.unparse(node)} is not evaluated statically")

    def _name(self, name: str, depth: int) -> Any:
        if name in self._values:
            return self._values[name]
        bound = self.assignments.get(name)
        if bound is None:
            raise Unresolved(f"{name} is not bound at module level to a gt expression")
        if name in self._active:
            raise Unresolved(f"{name} refers to itself (use gt.ref for recursion)")
        self._active.add(name)
        try:
            value = self._values[name] = self.value(bound, depth)
        finally:
            self._active.discard(name)
        return value

    def _builder(self, func: ast.expr) -> Callable[..., Any]:
        if isinstance(func, ast.Name) and func.id in self.builders:
            return BUILDERS[self.builders[func.id]]
        if isinstance(func, ast.Attribute) and func.attr in BUILDERS:
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id in self.namespaces:
                return BUILDERS[func.attr]
            if (
                isinstance(owner, ast.Attribute)
                and owner.attr == "gt"
                and isinstance(owner.value, ast.Name)
                and owner.value.id in self.packages
            ):
                return BUILDERS[func.attr]
        raise Unresolved(f"{ast.unparse(func)}(...) is not a gt schema builder")

    def _call(self, node: ast.Call, depth: int) -> Any:
        build = self._builder(node.func)
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise Unresolved(f"{ast.unparse(node)}: *arguments are not evaluated")
        args = [self.value(a, depth) for a in node.args]
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise Unresolved(f"{ast.unparse(node)}: **arguments are not evaluated")
            kwargs[kw.arg] = self.value(kw.value, depth)
        try:
            return build(*args, **kwargs)
        except (TypeError, ValueError) as exc:  # the live app would refuse it as well
            raise Unresolved(f"{ast.unparse(node.func)}(...) fails: {exc}") from None
