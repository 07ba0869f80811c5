"""Reading core schemas (docs/gtype.md §3) for the tools that export and compare them.

`to_json_schema` and `diff` take a `Schema` or its core dict; both need the named definitions
of a tree, so the walk lives here once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from gati.errors import SchemaError

__all__ = ["Core", "HasCore", "as_core", "children", "definitions"]

Core = Mapping[str, Any]


class HasCore(Protocol):
    """Anything that lowers to a core schema (a `gati.gtype.Schema`)."""

    def core(self) -> Any: ...


def as_core(schema: HasCore | Core) -> Core:
    """The core dict of a `Schema`, or the argument itself when it already is one."""
    core = schema if isinstance(schema, Mapping) else schema.core()
    if not isinstance(core, Mapping) or not isinstance(core.get("type"), str):
        raise SchemaError(f"not a schema: {schema!r}")
    return core


def children(node: Core) -> Iterator[Core]:
    """The child nodes of one node, in schema order."""
    kind = node["type"]
    if kind == "object":
        yield from node.get("properties", {}).values()
        if isinstance(node.get("extra"), Mapping):
            yield node["extra"]
    elif kind == "array":
        yield node["items"]
    elif kind == "tuple":
        yield from node.get("items", [])
        if node.get("rest") is not None:
            yield node["rest"]
    elif kind == "record":
        yield node["values"]
    elif kind in ("union", "intersection"):
        yield from node["members"]


def definitions(root: Core) -> dict[str, Core]:
    """Every named node of the tree by name; a name defined twice differently is an error."""
    found: dict[str, Core] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        name = node.get("name") if node["type"] != "ref" else None  # a ref's name is its target
        if name is not None:
            if name in found and found[name] != node:
                raise SchemaError(f"schema name {name!r} is defined twice")
            found[name] = node
        stack.extend(children(node))
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
        stack.extend(children(node))
