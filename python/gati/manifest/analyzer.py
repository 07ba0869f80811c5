"""The manifest analyzer: handler modules read with ``ast``, never imported (DESIGN §9).

A handler is a function taking ``(req, res, lctx, gctx)`` that is registered by a decorator
(``@app.get("/users")``, ``@app.route("GET", "/users")``), carries an ``@path`` docstring tag,
or is found by file-based discovery: below a discovery root, ``users/{id}.py`` serves
``/users/{id}`` with its module-level ``get``/``post``/``put``/``patch``/``delete`` functions
(``index.py`` serves its folder). Docstring tags (``@path``, ``@method``, ``@roles``,
``@rate-limit``, ``@timeout``, ``@version``) override decorator options. A file that cannot be
read or parsed, a handler of the wrong arity or an unknown tag is reported with its line, and
the other handlers and files are still analysed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gati.manifest.evaluate import SchemaEvaluator, Unresolved
from gati.manifest.fingerprint import fingerprint
from gati.manifest.model import AnalysisError, Manifest
from gati.manifest.operations import split_docstring

__all__ = ["Analysis", "analyze_directory", "analyze_source"]

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_SCHEMA_OPTIONS = ("request", "response", "params", "query", "headers", "cookies")
_TAG = re.compile(r"^\s*@([A-Za-z][A-Za-z-]*)\b[ \t]*(.*)$", re.MULTILINE)
_KNOWN_TAGS = frozenset({"path", "method", "roles", "rate-limit", "timeout", "version"})
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m)?\Z")


@dataclass
class Analysis:
    """Manifests found, and the per-file problems that kept some handlers out."""

    manifests: list[Manifest] = field(default_factory=list)
    errors: list[AnalysisError] = field(default_factory=list)

    def extend(self, other: Analysis) -> None:
        self.manifests.extend(other.manifests)
        self.errors.extend(other.errors)


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _route_path(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] in ("index", "__init__"):
        parts.pop()
    return "/" + "/".join(parts)


def analyze_directory(root: str | Path, *, discover: bool = True) -> Analysis:
    """Analyse every ``.py`` file below ``root`` in a fixed order (sorted paths)."""
    base = Path(root)
    analysis = Analysis()
    for file in sorted(base.rglob("*.py")):
        relative = file.relative_to(base)
        shown = relative.as_posix()
        try:
            source = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            analysis.errors.append(AnalysisError(shown, 0, f"cannot read: {exc}"))
            continue
        analysis.extend(
            analyze_source(
                source,
                module=_module_name(relative),
                file=shown,
                discovered_path=_route_path(relative) if discover else None,
            )
        )
    analysis.manifests.sort(key=lambda m: (m.path, m.methods, m.handler_id))
    return analysis


def analyze_source(
    source: str, *, module: str, file: str, discovered_path: str | None = None
) -> Analysis:
    """Analyse one module's text. ``discovered_path`` turns on file-based discovery for it."""
    analysis = Analysis()
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as exc:
        analysis.errors.append(AnalysisError(file, exc.lineno or 0, f"syntax error: {exc.msg}"))
        return analysis
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        analysis.errors.append(AnalysisError(file, 0, f"cannot parse: {type(exc).__name__}"))
        return analysis
    reader = _ModuleReader(tree, module, file, discovered_path)
    try:
        reader.read()
    except RecursionError:
        analysis.errors.append(AnalysisError(file, 0, "nested too deeply to analyse"))
        return analysis
    analysis.manifests = reader.manifests
    analysis.errors = reader.errors
    return analysis


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _Unknown(ast.unparse(node))


@dataclass(frozen=True)
class _Unknown:
    """An option whose value is not a literal: kept as its source text."""

    text: str


def _name_of(node: ast.expr | None) -> str | None:
    """``Book`` or ``schemas.Book`` for a schema option; other expressions by their text."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    return ast.unparse(node)


def _seconds(text: str) -> float | None:
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    value = float(match[1])
    return value / 1000 if match[2] == "ms" else value * 60 if match[2] == "m" else value


class _ModuleReader:
    """One pass over a module: schemas bound at module level, hooks, then each handler."""

    def __init__(self, tree: ast.Module, module: str, file: str, discovered: str | None) -> None:
        self.tree = tree
        self.module = module
        self.file = file
        self.discovered = discovered
        self.assignments: dict[str, ast.expr] = {}
        self.evaluator = SchemaEvaluator(tree, self.assignments)
        self.global_hooks: list[dict[str, str]] = []
        self.manifests: list[Manifest] = []
        self.errors: list[AnalysisError] = []

    def error(self, node: ast.AST, message: str) -> None:
        self.errors.append(AnalysisError(self.file, getattr(node, "lineno", 0), message))

    def read(self) -> None:
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    self.assignments[target.id] = statement.value
            elif (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.value is not None
            ):
                self.assignments[statement.target.id] = statement.value
        for node in ast.walk(self.tree):
            self._hook_registration(node)
        for qualname, fn, top_level in self._functions(self.tree.body, ""):
            self._function(qualname, fn, top_level)

    def _functions(
        self, body: list[ast.stmt], prefix: str
    ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
        """Every function with its ``__qualname__``, nested ones included."""
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = prefix + node.name
                yield qualname, node, not prefix
                yield from self._functions(node.body, qualname + ".<locals>.")
            elif isinstance(node, ast.ClassDef):
                yield from self._functions(node.body, prefix + node.name + ".")

    def _hook_registration(self, node: ast.AST) -> None:
        """``@app.hook("before")`` on a function, or ``app.hook("after", fn)``."""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                kind = _hook_kind(deco)
                if kind is not None:
                    self.global_hooks.append({"name": node.name, "kind": kind, "level": "global"})
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            kind = _hook_kind(call)
            if kind is not None and len(call.args) >= 2:
                name = _name_of(call.args[1]) or "?"
                self.global_hooks.append({"name": name, "kind": kind, "level": "global"})

    def _registration(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any] | None:
        """The options of a route decorator on ``fn`` (``None`` if it has none)."""
        for deco in fn.decorator_list:
            if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
                continue
            verb = deco.func.attr
            args = list(deco.args)
            if verb == "route" and len(args) >= 2:
                method = _literal(args.pop(0))
            elif verb in HTTP_METHODS and args:
                method = verb.upper()
            else:
                continue
            options: dict[str, Any] = {"method": method, "path": _literal(args[0]), "node": deco}
            for kw in deco.keywords:
                if kw.arg in _SCHEMA_OPTIONS:
                    options[kw.arg] = _name_of(kw.value)
                    options.setdefault("schema_nodes", []).append(kw.value)
                    options.setdefault("schema_of", {})[kw.arg] = kw.value
                elif kw.arg == "responses":
                    options["responses"] = kw.value
                elif kw.arg == "hooks":
                    options["hooks"] = [_name_of(e) for e in _elements(kw.value)]
                elif kw.arg is not None:
                    options[kw.arg] = _literal(kw.value)
            return options
        return None

    def _function(
        self, qualname: str, fn: ast.FunctionDef | ast.AsyncFunctionDef, top: bool
    ) -> None:
        options = self._registration(fn) or {}
        tags = self._tags(fn)
        if tags is None:
            return  # an unknown tag was reported
        if not options and "path" in tags:
            options = {"method": tags.get("method", "GET"), "path": tags["path"]}
        if not options and top and self.discovered is not None and fn.name in HTTP_METHODS:
            options = {"method": fn.name.upper(), "path": self.discovered}
        if not options:
            return
        if not _takes_four(fn):
            self.error(fn, f"handler {fn.name} must take (req, res, lctx, gctx)")
            return
        path = tags.get("path", options.get("path"))
        method = tags.get("method", options.get("method"))
        if not isinstance(path, str) or not path.startswith("/"):
            self.error(fn, f"handler {fn.name}: the path must be a string starting with '/'")
            return
        if not isinstance(method, str) or method.lower() not in (*HTTP_METHODS, "head"):
            self.error(fn, f"handler {fn.name}: unknown method {method!r}")
            return
        self.manifests.append(self._manifest(qualname, fn, options, tags, path, method.upper()))

    def _tags(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any] | None:
        doc = ast.get_docstring(fn, clean=False)
        tags: dict[str, Any] = {}
        if not doc:
            return tags
        first_line = fn.body[0].lineno
        for match in _TAG.finditer(doc):
            name, value = match[1].lower(), match[2].strip()
            line = first_line + doc.count("\n", 0, match.start(1))
            if name not in _KNOWN_TAGS:
                self.errors.append(AnalysisError(self.file, line, f"unknown docstring tag @{name}"))
                return None
            if name == "roles":
                tags["roles"] = [r.strip() for r in value.replace(",", " ").split() if r.strip()]
            elif name == "timeout":
                seconds = _seconds(value)
                if seconds is None:
                    self.errors.append(AnalysisError(self.file, line, f"bad @timeout {value!r}"))
                    return None
                tags["timeout"] = seconds
            elif name == "method":
                tags["method"] = value.upper()
            else:
                tags[name.replace("-", "_")] = value
        return tags

    def _manifest(
        self,
        qualname: str,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        options: dict[str, Any],
        tags: dict[str, Any],
        path: str,
        method: str,
    ) -> Manifest:
        gtypes = {key: options.get(key) for key in _SCHEMA_OPTIONS}
        nodes: dict[str, ast.expr] = dict(options.get("schema_of", {}))
        if gtypes["response"] is None and fn.returns is not None:
            returned = ast.unparse(fn.returns)
            if returned not in ("None", "Any"):
                gtypes["response"], nodes["response"] = returned, fn.returns
        if gtypes["request"] is None and fn.args.args and fn.args.args[0].annotation is not None:
            annotation = fn.args.args[0].annotation
            if isinstance(annotation, ast.Subscript):
                gtypes["request"], nodes["request"] = (
                    ast.unparse(annotation.slice),
                    annotation.slice,
                )
        policies = {
            "roles": tags.get("roles", _plain(options.get("roles")) or []),
            "rate_limit": tags.get("rate_limit", _plain(options.get("rate_limit"))),
            "timeout": tags.get("timeout", _plain(options.get("timeout"))),
        }
        version = tags.get("version", _plain(options.get("version")))
        route_hooks = [
            {"name": name or "?", "kind": "before", "level": "route"}
            for name in options.get("hooks", [])
        ]
        summary, description = split_docstring(ast.get_docstring(fn))
        handler_id = _plain(options.get("id")) or f"{self.module}.{qualname}"
        schemas = self._schema_sources(options.get("schema_nodes", []), fn)
        print_ = fingerprint(fn, schemas, {"path": path, "method": method, **policies})
        return Manifest(
            handler_id=handler_id,
            path=path,
            methods=(method,),
            gtypes=gtypes,
            hooks=(*self.global_hooks, *route_hooks),
            policies=policies,
            timescape={"version": version, "fingerprint": print_},
            dependencies=tuple(sorted(_dependencies(fn))),
            schemas={key: self._evaluated(node) for key, node in nodes.items()},
            source={"file": self.file, "line": fn.lineno},
            docs={
                "summary": _plain(options.get("summary")) or summary,
                "description": description,
                "tags": _plain(options.get("tags")) or [],
                "responses": self._responses(options.get("responses")),
            },
        )

    def _evaluated(self, node: ast.expr) -> dict[str, Any] | None:
        """A schema option's core schema, ``{"unresolved": text, "reason": ...}`` when it
        cannot be evaluated statically, ``None`` for ``None``."""
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        try:
            return self.evaluator.schema(node)
        except Unresolved as exc:
            return {"unresolved": ast.unparse(node), "reason": str(exc)}

    def _responses(self, node: ast.expr | None) -> dict[str, Any]:
        """``responses=``: by status, ``{"description": text}`` (or none), ``{"schema": core}``,
        ``{"object": response}``, or ``{"unresolved": text, "reason": why}``."""
        if node is None:
            return {}
        if not isinstance(node, ast.Dict) or any(k is None for k in node.keys):
            return {"*": {"unresolved": ast.unparse(node), "reason": "not a dict literal"}}
        out: dict[str, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            status = key.value if isinstance(key, ast.Constant) else None
            if isinstance(status, bool) or not isinstance(status, int):
                continue  # the live app refuses it at registration
            try:
                what = self.evaluator.value(value, 0)
            except Unresolved as exc:
                out[str(status)] = {"unresolved": ast.unparse(value), "reason": str(exc)}
                continue
            if isinstance(what, str) or what is None:
                out[str(status)] = {"description": what}
            elif isinstance(what, dict):
                out[str(status)] = {"object": what}
            else:
                out[str(status)] = {"schema": what.core()}
        return out

    def _schema_sources(
        self, nodes: list[ast.expr], fn: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> dict[str, ast.expr]:
        """The module-level definitions of every name the handler's schemas mention."""
        pending = [n for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)]
        if fn.returns is not None:
            pending += [n for n in ast.walk(fn.returns) if isinstance(n, ast.Name)]
        found: dict[str, ast.expr] = {}
        while pending:
            name = pending.pop().id
            if name in found or name not in self.assignments:
                continue
            found[name] = self.assignments[name]
            pending += [n for n in ast.walk(found[name]) if isinstance(n, ast.Name)]
        return found


def _plain(value: Any) -> Any:
    return value.text if isinstance(value, _Unknown) else value


def _elements(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.List | ast.Tuple) else [node]


def _hook_kind(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "hook"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _takes_four(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``fn`` can be called with four positional arguments."""
    args = fn.args
    positional = len(args.posonlyargs) + len(args.args)
    required = positional - len(args.defaults)
    kw_required = any(d is None for d in args.kw_defaults)
    return not kw_required and required <= 4 and (positional >= 4 or args.vararg is not None)


def _dependencies(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Module names used through ``gctx.modules.X``, ``gctx.modules["X"]``,
    ``gctx.get_module("X")`` (``gctx`` being the handler's fourth parameter)."""
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    gctx = params[3] if len(params) >= 4 else "gctx"
    found: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute | ast.Subscript) and _is_modules(node.value, gctx):
            if isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_module"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == gctx
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _is_modules(node: ast.expr, gctx: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "modules"
        and isinstance(node.value, ast.Name)
        and node.value.id == gctx
    )
