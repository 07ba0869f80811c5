"""``gati diff OLD NEW``: two OpenAPI files, two manifest stores or handler directories, or two
git revisions (with ``--app`` or ``--dir`` saying what to read at each)."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from gati.cli.errors import UsageError
from gati.cli.loading import read_text, write_text

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="openapi.json, a store (.db), a DIR or a rev")
    parser.add_argument("new", metavar="NEW", help="the same kind of thing, newer")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--fail-on", choices=("breaking", "any", "none"), default="breaking")
    parser.add_argument(
        "--versions", action="store_true", help="accept breaking changes released as new versions"
    )
    parser.add_argument("--app", help="with git revisions: the app (module:attribute) to read")
    parser.add_argument("--dir", help="with git revisions: the handler directory to analyse")


def _git_export(rev: str) -> Path:
    """The tree of ``rev`` in a temporary directory (``git archive``, no checkout touched)."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                           capture_output=True, text=True)  # fmt: skip
    if found.returncode != 0:
        raise UsageError(f"{rev!r} is not a file, a directory or a git revision")
    archive = subprocess.run(["git", "archive", "--format=tar", rev], capture_output=True)
    if archive.returncode != 0:
        raise UsageError(f"git archive {rev} failed: {archive.stderr.decode().strip()}")
    target = Path(tempfile.mkdtemp(prefix="gati-diff-"))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def _load(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[Any] | None]:
    """(OpenAPI document, manifests or None) for one side."""
    from gati.manifest.analyzer import analyze_directory
    from gati.manifest.openapi import build_document
    from gati.manifest.operations import operations_from_manifests

    path = Path(source)
    manifests: list[Any] | None = None
    if path.is_dir():
        manifests = analyze_directory(path).manifests
    elif path.is_file() and path.suffix == ".db":
        import sqlite3

        from gati.manifest.store import ManifestStore

        try:
            with ManifestStore(path) as store:
                manifests = store.manifests()
        except sqlite3.Error as exc:
            raise UsageError(f"cannot read manifest store {source}: {exc}") from None
    elif path.is_file() or path.suffix == ".json":
        try:
            document: dict[str, Any] = json.loads(read_text(source))
        except (json.JSONDecodeError, RecursionError) as exc:
            raise UsageError(f"{source} is not JSON gati can read: {exc}") from None
        if not isinstance(document, dict) or "paths" not in document:
            raise UsageError(f"{source} is not an OpenAPI document")
        return document, None
    else:
        tree = _git_export(source)
        if args.app:
            out = tree / "openapi.json"
            done = subprocess.run(
                [sys.executable, "-m", "gati.cli", "openapi", args.app, "-o", str(out)],
                cwd=tree, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                raise UsageError(
                    f"at {source}: {done.stderr.strip().removeprefix('gati: error: ')}"
                )
            return json.loads(out.read_text()), None
        if args.dir:
            manifests = analyze_directory(tree / args.dir).manifests
        else:
            raise UsageError("with git revisions, say what to compare: --app APP or --dir DIR")
    return build_document(operations_from_manifests(manifests)), manifests


def run(args: argparse.Namespace) -> int:
    from gati.manifest.diff import diff_documents, diff_manifests, render

    try:
        old_doc, old_manifests = _load(args.old, args)
        new_doc, new_manifests = _load(args.new, args)
        changes = diff_documents(old_doc, new_doc, versions=args.versions)
    except RecursionError:
        raise UsageError("a document is nested too deeply to compare") from None
    if old_manifests is not None and new_manifests is not None:
        changes += diff_manifests(old_manifests, new_manifests)
        changes.sort(key=lambda c: c.operation)
    write_text(None, render(changes, args.format))
    blocking = any(c.breaking and not c.accepted for c in changes)
    if args.fail_on == "any":
        return 1 if changes else 0
    if args.fail_on == "breaking":
        return 1 if blocking else 0
    return 0
