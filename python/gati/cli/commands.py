"""Each ``gati`` sub-command: its arguments and what it does."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gati.cli import bench, diff
from gati.cli.errors import UsageError
from gati.cli.loading import load_app, write_text

__all__ = ["COMMANDS", "Command"]

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """A sub-command: its name, one line of help, its arguments and its handler."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    handler: Handler

    def add(self, sub: Any) -> None:
        parser = sub.add_parser(self.name, help=self.help, description=self.help)
        self.arguments(parser)
        parser.set_defaults(handler=self.handler)


def _app_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", metavar="APP", help="the app as module:attribute")


# -- run -------------------------------------------------------------------------------------
def _run_arguments(parser: argparse.ArgumentParser) -> None:
    _app_argument(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true", help="restart when files change")


def _run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ModuleNotFoundError:
        raise UsageError("gati run needs uvicorn: pip install uvicorn") from None
    load_app(args.app)  # a bad APP is one clear line here, not a traceback in a worker
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    spec = args.app.removesuffix("()")
    uvicorn.run(
        spec,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        factory=args.app.endswith("()"),
    )
    return 0


# -- routes ----------------------------------------------------------------------------------
def _routes(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    app = load_app(args.app)
    table = Table("method", "path", "versions", "roles", "limits", "handler")
    grouped: dict[tuple[str, str], list[Any]] = {}
    from gati.manifest.operations import table_routes

    for method, pattern, route in table_routes(app):
        grouped.setdefault((pattern, method), []).append(route)
    for (pattern, method), routes in sorted(grouped.items()):
        first = routes[0]
        versions = sorted({r.version for r in routes if r.version})
        limits = [first.rate_limit] if first.rate_limit else []
        if first.timeout is not None:
            limits.append(f"timeout {first.timeout:g}s")
        table.add_row(
            method,
            pattern,
            ", ".join(versions) or "-",
            ", ".join(first.roles) or "-",
            ", ".join(limits) or "-",
            first.handler_id,
        )
    console = Console()
    if args.width is not None or not console.is_terminal:
        console = Console(width=args.width or 200)  # a pipe gets whole cells, not ellipses
    console.print(table)
    return 0


def _routes_arguments(parser: argparse.ArgumentParser) -> None:
    _app_argument(parser)
    parser.add_argument("--width", type=int, default=None, help="table width (default: terminal)")


# -- openapi ---------------------------------------------------------------------------------
def _openapi_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", metavar="APP|DIR", help="module:attribute, or handler files")
    parser.add_argument("--version", dest="api_version", help="a Timescape version or date")
    parser.add_argument("-o", "--output", help="write here instead of standard output")


def _openapi(args: argparse.Namespace) -> int:
    from gati.http.errors import HTTPError
    from gati.manifest.openapi import openapi_document
    from gati.manifest.serve import resolve_document_version, resolve_version

    if Path(args.app).is_dir():
        from gati.manifest.analyzer import analyze_directory
        from gati.manifest.openapi import build_document
        from gati.manifest.operations import (
            declared,
            operations_from_manifests,
            routes_for_version,
        )

        analysis = analyze_directory(args.app)
        if analysis.errors:
            raise UsageError(f"{args.app.rstrip('/')}/{analysis.errors[0]}")
        ops = operations_from_manifests(analysis.manifests)
        versions = declared(ops)
        try:
            version = resolve_version(versions, args.api_version)
        except HTTPError as exc:
            raise UsageError(exc.detail) from None
        # Each (method, path) as the app built from these files documents it for ``version``.
        routes = ((op.method, op.path, op) for op in ops)
        chosen = [op for _, _, op in routes_for_version(routes, version)]
        document = build_document(chosen, version, versions=versions)
        write_text(args.output, json.dumps(document, indent=2))
        return 0
    app = load_app(args.app)
    try:
        version = resolve_document_version(app, args.api_version)
        document = openapi_document(app, version)
    except HTTPError as exc:
        raise UsageError(exc.detail) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    write_text(args.output, json.dumps(document, indent=2, ensure_ascii=False))
    return 0


# -- manifest --------------------------------------------------------------------------------
def _manifest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="the handler files to analyse")
    parser.add_argument("-o", "--output", help="write the manifests (JSON) here")
    parser.add_argument(
        "--store",
        nargs="?",
        const=".gati/manifests.db",
        help="also record them as a revision of this store (default .gati/manifests.db)",
    )
    parser.add_argument("--label", help="the revision's label in the store")
    parser.add_argument("--no-discovery", action="store_true", help="decorators and tags only")


def _manifest(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from gati.manifest.analyzer import analyze_directory

    if not Path(args.directory).is_dir():
        raise UsageError(f"not a directory: {args.directory}")
    analysis = analyze_directory(args.directory, discover=not args.no_discovery)
    for error in analysis.errors:
        print(f"{args.directory.rstrip('/')}/{error}", file=sys.stderr)
    document = {"manifests": [m.to_dict() for m in analysis.manifests]}
    write_text(args.output, json.dumps(document, indent=2, ensure_ascii=False))
    if args.store:
        from gati.manifest.store import ManifestStore

        try:
            store = ManifestStore(args.store)
        except Exception as exc:
            raise UsageError(f"cannot open store {args.store}: {exc}") from None
        with store:
            store.put(analysis.manifests, label=args.label)
    return 1 if analysis.errors else 0


# -- codegen ---------------------------------------------------------------------------------
def _codegen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="APP|FILE", help="module:attribute or openapi.json")
    parser.add_argument("--lang", choices=("python", "ts"), required=True)
    parser.add_argument("-o", "--output", required=True, help="the folder to write into")
    parser.add_argument("--package", default="client", help="Python package name (client)")
    parser.add_argument("--version", dest="api_version", help="the Timescape version to pin")


def _codegen(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gati.cli.loading import read_text
    from gati.manifest.codegen import generate_python, generate_typescript

    if ":" in args.source and not Path(args.source).exists():
        from gati.manifest.openapi import openapi_document
        from gati.manifest.serve import resolve_document_version

        app = load_app(args.source)
        try:
            document = openapi_document(app, resolve_document_version(app, args.api_version))
        except Exception as exc:
            raise UsageError(str(getattr(exc, "detail", exc))) from None
    else:
        try:
            document = json.loads(read_text(args.source))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{args.source} is not JSON: {exc}") from None
    if not args.package.isidentifier():
        raise UsageError(f"--package must be a Python identifier, not {args.package!r}")
    files = (
        generate_python(document, args.package)
        if args.lang == "python"
        else generate_typescript(document)
    )
    out = Path(args.output)
    for relative, text in files.items():
        target = out / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot write {target.parent}: {exc.strerror or exc}") from None
        write_text(str(target), text)
    return 0


COMMANDS: list[Command] = [
    Command("run", "serve APP with uvicorn", _run_arguments, _run),
    Command("routes", "list APP's routes as a table", _routes_arguments, _routes),
    Command("openapi", "print APP's OpenAPI 3.1 document", _openapi_arguments, _openapi),
    Command(
        "manifest", "analyse handler files (never importing them)", _manifest_arguments, _manifest
    ),
    Command(
        "diff",
        "compare two API revisions; exit 1 on breaking changes",
        diff.add_arguments,
        diff.run,
    ),
    Command("codegen", "write a typed Python or TypeScript client", _codegen_arguments, _codegen),
    Command("bench", "run the benchmark suites and compare", bench.add_arguments, bench.run),
]
