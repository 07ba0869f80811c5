"""Reading core schemas (docs/gtype.md §3) for the tools that export and compare them.

`to_json_schema` and `diff` take a `Schema` or its core dict; both need the named definitions
of a tree, so that walk lives here once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from gati.errors import SchemaError
from gati.gtype._plan import children, normalize

__all__ = ["Core", "HasCore", "as_core", "definitions"]

Core = Mapping[str, Any]


class HasCore(Protocol):
    """Anything that lowers to a core schema (a `gati.gtype.Schema`)."""

    def core(self) -> Any: ...


def as_core(schema: HasCore | Core) -> Core:
    """The core dict of a `Schema`, or a core dict checked as `gt.from_core` checks it."""
    if isinstance(schema, Mapping):
        return normalize(dict(schema))
    core = schema.core()
    if not isinstance(core, Mapping):
        raise SchemaError(f"not a schema: {schema!r}")
    return core


def definitions(root: Core) -> dict[str, Core]:
    """Every named node of the tree by name; a name defined twice differently is an error."""
    found: dict[str, Core] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        name = node.get("name") if node["type"] != "ref" else None  # a ref's name is its target
        if name is not None:
            if name in found:
                raise SchemaError(f"duplicate definition name {name!r}")
            found[name] = node
        stack.extend(child for _, child in children(dict(node)))
    for ref in _refs(root):
        if ref not in found:
            raise SchemaError(f"gt.ref({ref!r}) names no schema in this tree")
    return found


def _refs(root: Core) -> Iterator[str]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node["type"] == "ref":
            yield node["name"]
        stack.extend(child for _, child in children(dict(node)))
