"""Export a GType schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1.

Named schemas become ``$defs`` entries and every use of them a ``$ref``, so recursive schemas
export as they are written. What JSON Schema cannot say is left out: custom ``validators``,
an enum's ``enum_class`` (members are Python objects; their values are exported) and the
Python-only inputs validation also takes (tuples and sets for arrays). gati's formats are
exact scanners (docs/gtype.md §7); the exported ``format`` names the same intent, but other
tools' checkers for it are their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from gati.gtype._walk import Core, HasCore, as_core, definitions

__all__ = ["DIALECT", "to_json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_FORMATS = {"url": "uri"}  # every other gati format has the same name in JSON Schema
_SIMPLE_TYPES = ("string", "number", "integer", "boolean", "object", "array")
_NUMBER_KEYS = {
    "min": "minimum",
    "max": "maximum",
    "exclusive_min": "exclusiveMinimum",
    "exclusive_max": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}
_STRING_KEYS = {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"}
_ARRAY_KEYS = {"min_items": "minItems", "max_items": "maxItems"}


def to_json_schema(schema: HasCore | Core, *, ref_prefix: str = "#/$defs/") -> dict[str, Any]:
    """A JSON Schema 2020-12 document that accepts the JSON values ``schema`` accepts.

    Named schemas are listed under ``$defs`` and referred to as ``ref_prefix + name``; OpenAPI
    writers pass ``ref_prefix="#/components/schemas/"`` and move ``$defs`` there.
    """
    core = as_core(schema)
    export = _Exporter(ref_prefix)
    defs = {name: export.node(node, inline_name=True) for name, node in definitions(core).items()}
    out: dict[str, Any] = {"$schema": DIALECT}
    out.update(export.node(core))
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out


class _Exporter:
    def __init__(self, ref_prefix: str) -> None:
        self.ref_prefix = ref_prefix

    def ref(self, name: str) -> dict[str, Any]:
        token = quote(name.replace("~", "~0").replace("/", "~1"), safe="")
        return {"$ref": self.ref_prefix + token}

    def node(self, node: Core, *, inline_name: bool = False) -> dict[str, Any]:
        """One node; a named node is a ``$ref`` except where its ``$defs`` entry is built."""
        if node["type"] != "ref" and node.get("name") is not None and not inline_name:
            return self.ref(node["name"])
        out = self.kind(node)
        if node.get("nullable"):
            out = _nullable(out)
        if "description" in node:
            out["description"] = node["description"]
        if "default" in node:
            out["default"] = node["default"]
        return out

    def kind(self, node: Core) -> dict[str, Any]:
        kind = node["type"]
        if kind in ("string", "number", "integer"):
            out: dict[str, Any] = {"type": kind}
            keys = _STRING_KEYS if kind == "string" else _NUMBER_KEYS
            out.update({js: node[key] for key, js in keys.items() if node.get(key) is not None})
            if node.get("format") is not None:
                out["format"] = _FORMATS.get(node["format"], node["format"])
            return out
        if kind in ("boolean", "null"):
            return {"type": kind}
        if kind == "any":
            return {}
        if kind == "literal":
            values = list(node["values"])
            return {"const": values[0]} if len(values) == 1 else {"enum": values}
        if kind == "enum":
            return {"enum": list(node["values"])}
        if kind == "object":
            return self.object(node)
        if kind == "array":
            out = {"type": "array", "items": self.node(node["items"])}
            out.update({js: node[k] for k, js in _ARRAY_KEYS.items() if node.get(k) is not None})
            if node.get("unique_items"):
                out["uniqueItems"] = True
            return out
        if kind == "tuple":
            return self.tuple(node)
        if kind == "record":
            return {"type": "object", "additionalProperties": self.node(node["values"])}
        if kind == "union":
            return self.union(node)
        if kind == "intersection":
            return {"allOf": [self.node(m) for m in node["members"]]}
        if kind == "ref":
            return self.ref(node["name"])
        raise ValueError(f"unknown schema type {kind!r}")

    def object(self, node: Core) -> dict[str, Any]:
        props: Mapping[str, Core] = node.get("properties", {})
        out: dict[str, Any] = {
            "type": "object",
            "properties": {k: self.node(v) for k, v in props.items()},
        }
        required = list(node.get("required", []))
        if required:
            out["required"] = required
        extra = node.get("extra", "ignore")
        if extra == "forbid":
            out["additionalProperties"] = False
        elif isinstance(extra, Mapping):
            out["additionalProperties"] = self.node(extra)
        return out

    def tuple(self, node: Core) -> dict[str, Any]:
        items = [self.node(item) for item in node.get("items", [])]
        out: dict[str, Any] = {"type": "array", "minItems": len(items)}
        if items:
            out["prefixItems"] = items
        rest = node.get("rest")
        if rest is None:
            out["maxItems"] = len(items)
        else:
            out["items"] = self.node(rest)
        return out

    def union(self, node: Core) -> dict[str, Any]:
        members = [self.node(m) for m in node["members"]]
        tag = node.get("discriminator")
        if tag is None:
            # First-match and anyOf accept the same set of values.
            return {"anyOf": members}
        # Tags are unique per member, so at most one member matches: oneOf is exact.
        return {"oneOf": members, "discriminator": {"propertyName": tag}}


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    """Add null to an exported node without loosening any other constraint."""
    if not out:
        return out  # `any` already accepts null
    if "const" in out and len(out) == 1:
        return {"enum": [out["const"], None]}
    if "enum" in out and len(out) == 1:
        return out if None in out["enum"] else {"enum": [*out["enum"], None]}
    if out.get("type") in _SIMPLE_TYPES and "$ref" not in out:
        return {**out, "type": [out["type"], "null"]}
    if out.get("type") == "null":
        return out
    return {"anyOf": [out, {"type": "null"}]}
