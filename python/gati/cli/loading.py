"""Finding what a command works on: an app named ``module:attribute``, files to read or write."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from gati.cli.errors import UsageError

__all__ = ["load_app", "read_text", "write_text"]


def load_app(spec: str) -> Any:
    """Import ``module:attribute`` (the current directory first on the path) and return the app.

    The attribute may be an ``App`` or a function returning one (``module:create_app()``).
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"APP must be module:attribute, not {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise UsageError(f"cannot import {module_name!r}: no such module") from None
        raise UsageError(f"importing {module_name!r} failed: {exc}") from None
    except Exception as exc:
        raise UsageError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    factory = attribute.endswith("()")
    name = attribute.removesuffix("()")
    app = getattr(module, name, None)
    if app is None:
        raise UsageError(f"module {module_name!r} has no attribute {name!r}")
    if factory:
        try:
            app = app()
        except Exception as exc:
            raise UsageError(f"{spec} failed: {type(exc).__name__}: {exc}") from None
    from gati.app import App

    if not isinstance(app, App):
        raise UsageError(f"{spec} is a {type(app).__name__}, not a gati.App")
    return app


def read_text(path: str) -> str:
    """The contents of ``path``, or a ``UsageError`` saying why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def write_text(path: str | None, text: str) -> None:
    """Write ``text`` to ``path`` (``None`` or ``-``: standard output)."""
    if path is None or path == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
