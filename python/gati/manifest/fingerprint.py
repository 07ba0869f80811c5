"""Handler fingerprints: ``sha256:`` over the normalised AST of a handler and its schemas.

Normalised means: no line or column numbers (whitespace, comments and reformatting are
invisible to the AST anyway), docstring prose removed (its tags are hashed as the policies
they declare), and schemas hashed by name in sorted order. The same code therefore has the
same fingerprint on any machine, in any directory and whatever order files are read in, and
any change to the body, the decorator, the types or the policies changes it.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["fingerprint"]


_Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _has_docstring(node: _Scope) -> bool:
    body = node.body
    return (
        bool(body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )


def _dump(node: ast.AST) -> str:
    """``ast.dump`` without positions and without docstring statements. The docstrings are
    taken out in place and put back afterwards: a deep copy of the tree would cost more than
    the dump itself."""
    saved = [(n, n.body) for n in ast.walk(node) if isinstance(n, _Scope) and _has_docstring(n)]
    try:
        for scope, body in saved:
            scope.body = body[1:] or [ast.Pass()]
        return ast.dump(node, annotate_fields=True, include_attributes=False)
    finally:
        for scope, body in saved:
            scope.body = body


def fingerprint(
    function: ast.AST, schemas: Mapping[str, ast.AST], policies: Mapping[str, Any]
) -> str:
    """``sha256:<hex>`` of the function, the schema definitions it uses, and its policies."""
    payload = {
        "function": _dump(function),
        "schemas": {name: _dump(schemas[name]) for name in sorted(schemas)},
        "policies": policies,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()
