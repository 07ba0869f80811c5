"""Reading an OpenAPI document for the generators: names, operations, parameters, bodies."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Op", "Param", "class_name", "operations", "snake"]

_METHODS = ("get", "put", "post", "delete", "patch")


def class_name(name: str) -> str:
    """A component name as a type name: ``user-profile`` → ``UserProfile``."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p) or "Schema"
    return out if out[0].isalpha() else "T" + out


def snake(name: str) -> str:
    """An identifier in snake case that is not a Python keyword."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower() or "value"
    if text[0].isdigit():
        text = "_" + text
    return text + "_" if keyword.iskeyword(text) else text


@dataclass(frozen=True)
class Param:
    name: str  # as sent
    ident: str  # as a function argument
    where: str  # path, query, header or cookie
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str
    summary: str
    params: tuple[Param, ...]
    body: Mapping[str, Any] | None
    body_required: bool
    success: int
    response: Mapping[str, Any] | None  # None: no content


def _json_schema(obj: Any) -> Mapping[str, Any] | None:
    content = (obj or {}).get("content") or {}
    media = content.get("application/json")
    return None if media is None else media.get("schema", {})


def operations(doc: Mapping[str, Any]) -> Iterator[Op]:
    taken: set[str] = set()
    for path, item in sorted((doc.get("paths") or {}).items()):
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            name = snake(op.get("operationId") or f"{method}_{path}")
            while name in taken:
                name += "_"
            taken.add(name)
            params, idents = [], set()
            for p in op.get("parameters", ()):
                if p["in"] not in ("path", "query", "header", "cookie"):
                    continue
                ident = snake(p["name"])
                while ident in idents or ident in ("body", "self"):
                    ident += "_"
                idents.add(ident)
                params.append(Param(p["name"], ident, p["in"], bool(p.get("required")),
                                    p.get("schema", {})))  # fmt: skip
            responses = op.get("responses", {})
            successes = sorted(int(s) for s in responses if s.isdigit() and s.startswith("2"))
            success = successes[0] if successes else 200
            yield Op(
                name=name,
                method=method.upper(),
                path=path,
                summary=op.get("summary", ""),
                params=tuple(sorted(params, key=lambda p: not p.required)),
                body=_json_schema(op.get("requestBody")),
                body_required=bool((op.get("requestBody") or {}).get("required")),
                success=success,
                response=_json_schema(responses.get(str(success))),
            )
