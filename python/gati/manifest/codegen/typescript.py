"""TypeScript types and a small fetch client from an OpenAPI document.

``generate_typescript(doc)`` returns ``{"client.ts": ..., "tsconfig.json": ...}``. Each
component is an exported type; a discriminated union stays a union of object types whose tag
is a string literal, so TypeScript narrows it exactly (``switch (pet.kind)``). ``new
Client(baseUrl, {version})`` sends ``Gati-Version`` with every request; ``fetch`` can be
replaced (retries, tests). The output passes ``tsc --noEmit --strict``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gati.manifest.codegen.spec import Op, class_name, operations

__all__ = ["generate_typescript"]

_SCALARS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
            "null": "null"}  # fmt: skip


def _type(schema: Any, indent: str = "") -> str:
    if not isinstance(schema, Mapping) or not schema:
        return "unknown"
    if "$ref" in schema:
        return class_name(str(schema["$ref"]).rsplit("/", 1)[-1])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"]) or "never"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " | ".join(f"({_type(m, indent)})" for m in schema[key])
    if "allOf" in schema:
        return " & ".join(f"({_type(m, indent)})" for m in schema["allOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_type({**schema, "type": k}, indent) for k in kind)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        if "prefixItems" in schema and "items" not in schema:
            return "[" + ", ".join(_type(s, indent) for s in schema["prefixItems"]) + "]"
        return f"Array<{_type(schema.get('items'), indent)}>"
    if kind == "object":
        return _object(schema, indent)
    return "unknown"


def _object(schema: Mapping[str, Any], indent: str) -> str:
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    if not props:
        value = _type(extra, indent) if isinstance(extra, Mapping) else "unknown"
        return f"Record<string, {value}>"
    required = set(schema.get("required") or ())
    inner = indent + "  "
    lines = [
        f"{inner}{json.dumps(name)}{'' if name in required else '?'}: {_type(sub, inner)};"
        for name, sub in props.items()
    ]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _method(op: Op) -> str:
    args = [f"{p.ident}: {_type(p.schema)}" for p in op.params if p.where == "path"]
    if op.body is not None:
        args.append(f"body{'' if op.body_required else '?'}: {_type(op.body, '    ')}")
    rest = [p for p in op.params if p.where != "path"]
    if rest:
        fields = "; ".join(
            f"{json.dumps(p.ident)}{'' if p.required else '?'}: {_type(p.schema)}" for p in rest
        )
        optional = "" if any(p.required for p in rest) else " = {}"
        args.append(f"options: {{ {fields} }}{optional}")
    result = "void" if op.response is None else _type(op.response, "    ")
    path = op.path
    for p in op.params:
        if p.where == "path":
            path = path.replace(
                "{" + p.name + "}", "${encodeURIComponent(String(" + p.ident + "))}"
            )
    query = ", ".join(f"[{json.dumps(p.name)}, options.{p.ident}]" for p in rest
                      if p.where == "query")  # fmt: skip
    headers = ", ".join(f"[{json.dumps(p.name)}, options.{p.ident}]" for p in rest
                        if p.where == "header")  # fmt: skip
    cookies = ", ".join(f"[{json.dumps(p.name)}, options.{p.ident}]" for p in rest
                        if p.where == "cookie")  # fmt: skip
    body = "body" if op.body is not None else "undefined"
    return (
        f"  /** {op.summary or op.method + ' ' + op.path} */\n"
        f"  async {op.name}({', '.join(args)}): Promise<{result}> {{\n"
        f"    return (await this.request({json.dumps(op.method)}, `{path}`, [{query}], "
        f"[{headers}], {body}, [{cookies}])) as {result};\n"
        "  }"
    )


_RUNTIME = """
export class ApiError extends Error {
  constructor(public status: number, public problem: unknown) {
    super(`HTTP ${status}`);
  }
}

export interface ClientOptions {
  version?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

type Pairs = Array<[string, unknown]>;

// A cookie value as Python's http.cookies quotes it: bare when every character is a cookie
// octet, else in double quotes with backslash escapes (octal for the other Latin-1 characters).
function cookieValue(value: string): string {
  if (/^[A-Za-z0-9!#$%&'*+\\-.^_`|~:]*$/.test(value)) return value;
  let out = "";
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === "\\\\") out += "\\\\" + c;
    else if (code < 256 && !/[A-Za-z0-9!#$%&'*+\\-.^_`|~: ()\\/<=>?@[\\]{}]/.test(c))
      out += "\\\\" + code.toString(8).padStart(3, "0");
    else out += c;
  }
  return `"${out}"`;
}

export class Client {
  readonly version: string | undefined;
  private readonly fetcher: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(private readonly baseUrl: string, options: ClientOptions = {}) {
    this.version = "version" in options ? options.version : DEFAULT_VERSION;
    this.fetcher = options.fetch ?? fetch;
    this.headers = { ...(options.headers ?? {}) };
    if (this.version !== undefined) this.headers["Gati-Version"] = this.version;
  }

  private async request(
    method: string, path: string, query: Pairs, headers: Pairs, body: unknown, cookies: Pairs,
  ): Promise<unknown> {
    const search = new URLSearchParams();
    for (const [key, value] of query) {
      if (Array.isArray(value)) value.forEach((v) => search.append(key, String(v)));
      else if (value !== undefined && value !== null) search.append(key, String(value));
    }
    const sent: Record<string, string> = { ...this.headers };
    for (const [key, value] of headers) if (value !== undefined) sent[key] = String(value);
    const crumbs = cookies.filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => `${key}=${cookieValue(String(value))}`);
    if (crumbs.length) sent["Cookie"] = crumbs.join("; ");
    if (body !== undefined) sent["Content-Type"] = "application/json";
    const qs = search.toString();
    const response = await this.fetcher(this.baseUrl + path + (qs ? `?${qs}` : ""), {
      method, headers: sent, body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    const value: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, value);
    return value;
  }

"""

_TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2020",
        "lib": ["es2020", "dom"],
        "module": "es2020",
        "moduleResolution": "node",
        "exactOptionalPropertyTypes": True,
    },
    "files": ["client.ts"],
}


def generate_typescript(doc: Mapping[str, Any]) -> dict[str, str]:
    """``client.ts`` (types and ``Client``) and a strict ``tsconfig.json`` to check it."""
    components = (doc.get("components") or {}).get("schemas") or {}
    versions = doc.get("x-gati-versions") or []
    default = json.dumps(str(doc.get("info", {}).get("version"))) if versions else "undefined"
    title = str(doc.get("info", {}).get("title", "the API"))
    parts = [
        f"// A typed client for {title}, generated by `gati codegen`; do not edit.\n",
        f"export const DEFAULT_VERSION: string | undefined = {default};\n",
    ]
    for name, schema in components.items():
        doc_line = schema.get("description") if isinstance(schema, Mapping) else None
        if doc_line:
            parts.append(f"/** {' '.join(str(doc_line).split())} */")
        parts.append(f"export type {class_name(name)} = {_type(schema)};\n")
    methods = "\n\n".join(_method(op) for op in operations(doc))
    parts.append(_RUNTIME + methods + "\n}\n")
    return {"client.ts": "\n".join(parts), "tsconfig.json": json.dumps(_TSCONFIG, indent=2)}
