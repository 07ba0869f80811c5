"""The ``gati`` command: ``run``, ``routes``, ``openapi``, ``manifest``, ``diff``, ``codegen`` and
``bench``. A user mistake (an unknown app, a bad path, an unreadable file) is one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from gati.cli.commands import COMMANDS
from gati.cli.errors import UsageError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (``gati: error: …``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.split()[1:]  # "gati routes" → "routes: …"; top level: the message
        raise UsageError(f"{where[-1]}: {message}" if where else message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gati", description="Run, inspect and document gati apps.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gati`` console script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        code: int = args.handler(args)
    except UsageError as exc:
        print(f"gati: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
