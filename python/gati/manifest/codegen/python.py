"""A typed Python client package from an OpenAPI document.

``generate_python(doc, package)`` returns ``{relative path: text}``: ``types.py`` (a
``TypedDict`` per object component, ``Literal`` for enums and discriminator tags, unions as
``|``), ``client.py`` (``Client`` on ``httpx.Client`` and ``AsyncClient`` on
``httpx.AsyncClient``, one method per operation) and ``__init__.py``. ``Client(base_url,
version="2025-06-01")`` sends that Timescape version with every request; ``client=`` or
``transport=`` takes the user's own httpx client or transport (retries, proxies, tests).
Error statuses raise ``ApiError`` carrying the problem+json body. The output passes
``mypy --strict``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gati.manifest.codegen.spec import Op, class_name, operations

__all__ = ["generate_python"]

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
            "null": "None"}  # fmt: skip


class _Types:
    """JSON Schema → Python annotations; inline objects become named TypedDicts."""

    def __init__(self) -> None:
        self.defs: list[str] = []
        self.names: set[str] = set()

    def unique(self, name: str) -> str:
        base, n = name, 2
        while name in self.names:
            name, n = f"{base}{n}", n + 1
        self.names.add(name)
        return name

    def annotation(self, schema: Any, hint: str) -> str:
        if not isinstance(schema, Mapping) or not schema:
            return "Any"
        if "$ref" in schema:
            return class_name(str(schema["$ref"]).rsplit("/", 1)[-1])
        if "const" in schema:
            return self.literal([schema["const"]])
        if "enum" in schema:
            return self.literal(list(schema["enum"]))
        for key in ("oneOf", "anyOf"):
            if key in schema:
                members = [self.annotation(m, f"{hint}{i}") for i, m in enumerate(schema[key])]
                return " | ".join(dict.fromkeys(members))
        kind = schema.get("type")
        if isinstance(kind, list):
            parts = [self.annotation({**schema, "type": k}, hint) for k in kind]
            return " | ".join(dict.fromkeys(parts))
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            if "prefixItems" in schema and "items" not in schema:
                items = [self.annotation(s, hint + "Item") for s in schema["prefixItems"]]
                return f"tuple[{', '.join(items)}]" if items else "tuple[()]"
            return f"list[{self.annotation(schema.get('items'), hint + 'Item')}]"
        if kind == "object":
            if schema.get("properties"):
                return self.typed_dict(self.unique(hint), schema)
            extra = schema.get("additionalProperties")
            value = self.annotation(extra, hint + "Value") if isinstance(extra, Mapping) else "Any"
            return f"dict[str, {value}]"
        return "Any"

    def literal(self, values: list[Any]) -> str:
        literals = [v for v in values if v is None or isinstance(v, str | int | bool)]
        if len(literals) != len(values):
            return "Any"
        inner = ", ".join("None" if v is None else repr(v) for v in values)
        return f"Literal[{inner}]"

    def typed_dict(self, name: str, schema: Mapping[str, Any]) -> str:
        required = set(schema.get("required") or ())
        fields = []
        for prop, sub in schema.get("properties", {}).items():
            annotation = self.annotation(sub, name + class_name(prop))
            wrapper = "Required" if prop in required else "NotRequired"
            wrapped = f"{wrapper}[{_quoted(annotation)}]"
            fields.append(f"        {json.dumps(prop)}: {wrapped},")
        body = "\n".join(fields)
        doc = schema.get("description")
        comment = f"# {' '.join(str(doc).split())}\n" if doc else ""
        self.defs.append(f'{comment}{name} = TypedDict(\n    "{name}",\n    {{\n{body}\n    }},\n'
                         "    total=False,\n)\n")  # fmt: skip
        return name


def _quoted(annotation: str) -> str:
    """An annotation as a string, for the places Python evaluates it at run time."""
    return json.dumps(annotation)


def _types_module(doc: Mapping[str, Any], types: _Types) -> str:
    components = (doc.get("components") or {}).get("schemas") or {}
    for name in components:
        types.names.add(class_name(name))
    for name, schema in components.items():
        cls = class_name(name)
        if (
            isinstance(schema, Mapping)
            and schema.get("type") == "object"
            and schema.get("properties")
        ):
            types.typed_dict(cls, schema)
        else:
            alias = _quoted(types.annotation(schema, cls + "Value"))
            types.defs.append(f"{cls}: TypeAlias = {alias}\n")
    return ""


def _signature(op: Op, types: _Types, asynchronous: bool) -> tuple[str, str]:
    hint = class_name(op.name)
    args = ["self"]
    for p in op.params:
        if p.required:
            args.append(f"{p.ident}: {types.annotation(p.schema, hint + class_name(p.name))}")
    if op.body is not None:
        body_type = types.annotation(op.body, hint + "Body")
        args.append(
            f"body: {body_type}" if op.body_required else f"body: {body_type} | None = None"
        )
    optional = [p for p in op.params if not p.required]
    if optional:
        args.append("*")
    for p in optional:
        annotation = types.annotation(p.schema, hint + class_name(p.name))
        args.append(f"{p.ident}: {annotation} | None = None")
    result = "None" if op.response is None else types.annotation(op.response, hint + "Response")
    prefix = "async def" if asynchronous else "def"
    return f"    {prefix} {op.name}({', '.join(args)}) -> {result}:", result


def _method(op: Op, types: _Types, asynchronous: bool) -> str:
    head, result = _signature(op, types, asynchronous)
    path = op.path
    for p in op.params:
        if p.where == "path":
            path = path.replace("{" + p.name + "}", "{_quote(str(" + p.ident + "))}")
    lines = [head, f'        """{op.summary or op.method + " " + op.path}"""']
    lines.append(f'        url = f"{path}"' if "{" in path else f'        url = "{path}"')
    query = [p for p in op.params if p.where == "query"]
    headers = [p for p in op.params if p.where == "header"]
    lines.append("        params: dict[str, Any] = {}")
    for p in query:
        lines.append(f"        if {p.ident} is not None:")
        lines.append(f"            params[{p.name!r}] = {p.ident}")
    lines.append("        headers: dict[str, str] = {}")
    for p in headers:
        lines.append(f"        if {p.ident} is not None:")
        lines.append(f"            headers[{p.name!r}] = str({p.ident})")
    cookies = [p for p in op.params if p.where == "cookie"]
    if cookies:
        lines.append("        _jar = SimpleCookie()")
        for p in cookies:
            lines.append(f"        if {p.ident} is not None:")
            lines.append(f"            _jar[{p.name!r}] = str({p.ident})")
        lines.append("        if _jar:")
        lines.append('            headers["Cookie"] = _cookie_header(_jar)')
    send = "await self._client.request" if asynchronous else "self._client.request"
    body = ", json=body" if op.body is not None else ""
    lines.append(
        f'        response = {send}("{op.method}", url, params=params, headers=headers{body})'
    )
    lines.append("        _check(response)")
    if result == "None":
        lines.append("        return None")
    else:
        lines.append(f"        return cast({_quoted(result)}, response.json())")
    return "\n".join(lines)


_CLIENT_HEAD = '''"""A typed client for {title}, generated by `gati codegen`; do not edit."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, Required, TypeAlias, TypedDict, cast
from http.cookies import SimpleCookie
from urllib.parse import quote

import httpx

__all__ = ["DEFAULT_VERSION", "ApiError", "AsyncClient", "Client"]

DEFAULT_VERSION: str | None = {version}


def _quote(value: str) -> str:
    return quote(value, safe="")


def _cookie_header(cookies: SimpleCookie) -> str:
    """A ``Cookie`` header: values outside the cookie octets are quoted and escaped."""
    return "; ".join(morsel.OutputString() for morsel in cookies.values())


class ApiError(Exception):
    """An error status; ``problem`` is the problem+json body (or the raw text)."""

    def __init__(self, status: int, problem: Any) -> None:
        super().__init__(f"HTTP {{status}}: {{problem}}")
        self.status = status
        self.problem = problem


def _check(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            problem: Any = response.json()
        except ValueError:
            problem = response.text
        raise ApiError(response.status_code, problem)


def _headers(version: str | None, extra: dict[str, str] | None) -> dict[str, str]:
    headers = dict(extra or {{}})
    if version is not None:
        headers["Gati-Version"] = version
    return headers

'''

_CLASS = '''
class {name}:
    """``{name}(base_url, version=…)``; pass ``client=`` or ``transport=`` to bring your own."""

    def __init__(
        self,
        base_url: str,
        *,
        version: str | None = DEFAULT_VERSION,
        client: {httpx_class} | None = None,
        transport: {transport} | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.version = version
        self._client = client or {httpx_class}(transport=transport, timeout=timeout)
        self._client.base_url = httpx.URL(base_url)
        self._client.headers.update(_headers(version, headers))

    {close}

'''


def generate_python(doc: Mapping[str, Any], package: str = "client") -> dict[str, str]:
    """The files of a client package for ``doc`` (``{"client/client.py": ..., ...}``)."""
    types = _Types()
    _types_module(doc, types)
    sync_methods = [_method(op, types, False) for op in operations(doc)]
    async_methods = [_method(op, types, True) for op in operations(doc)]
    versions = doc.get("x-gati-versions") or []
    version = repr(str(doc.get("info", {}).get("version"))) if versions else "None"
    title = str(doc.get("info", {}).get("title", "the API")).replace('"', "'")
    parts = [_CLIENT_HEAD.format(title=title, version=version), *(d + "\n" for d in types.defs)]
    parts.append(_CLASS.format(
        name="Client", httpx_class="httpx.Client", transport="httpx.BaseTransport",
        close="def close(self) -> None:\n        self._client.close()",
    ))  # fmt: skip
    parts.append("\n\n".join(sync_methods) + "\n\n")
    parts.append(_CLASS.format(
        name="AsyncClient", httpx_class="httpx.AsyncClient",
        transport="httpx.AsyncBaseTransport",
        close="async def aclose(self) -> None:\n        await self._client.aclose()",
    ))  # fmt: skip
    parts.append("\n\n".join(async_methods) + "\n")
    init = (
        f'"""Client for {title}, generated by `gati codegen`."""\n\n'
        "from .client import DEFAULT_VERSION, ApiError, AsyncClient, Client\n\n"
        '__all__ = ["DEFAULT_VERSION", "ApiError", "AsyncClient", "Client"]\n'
    )
    return {
        f"{package}/__init__.py": init,
        f"{package}/client.py": "".join(parts),
        f"{package}/py.typed": "",
    }
