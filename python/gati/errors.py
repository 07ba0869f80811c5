"""Exceptions raised by gati's public API, and ``format_path`` for their error paths.

A leaf: it imports nothing from gati, so the twins in ``gati._pure`` can raise these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "GatiError",
    "HookError",
    "HookTimeout",
    "ModuleNotFoundError",
    "NoRequestContext",
    "RequestTimeout",
    "SchemaError",
    "SecretNotFound",
    "StartupError",
    "ValidationError",
    "format_path",
]


def format_path(path: Sequence[str | int]) -> str:
    """Render an error path for people: ``("items", 0, "name")`` → ``items[0].name``; the
    empty path is ``(root)``."""
    if not path:
        return "(root)"
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


class GatiError(Exception):
    """Base class of every exception gati raises on purpose."""


class SchemaError(GatiError, ValueError):
    """A schema is malformed: raised when it is built or compiled, never while validating."""


class ValidationError(GatiError, ValueError):
    """A value failed validation; ``errors()`` lists every problem found (docs/gtype.md §6)."""

    __slots__ = ("_errors",)

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        """The error dicts, in the order they were found."""
        return self._errors

    def __str__(self) -> str:
        n = len(self._errors)
        lines = [f"{n} validation error{'' if n == 1 else 's'}"]
        lines += [f"  {format_path(e['path'])}: {e['message']} [{e['code']}]" for e in self._errors]
        return "\n".join(lines)


class ModuleNotFoundError(GatiError, LookupError):
    """No module is registered under the name asked for (``gctx.modules.X``)."""


class SecretNotFound(GatiError, LookupError):
    """No secret provider has a value under the name asked for (``gctx.secrets.get``)."""


class RequestTimeout(GatiError, TimeoutError):
    """The handler ran past its timeout; ``on_timeout`` and cleanup have run. Maps to 504."""


class HookTimeout(GatiError, TimeoutError):
    """One attempt of an async hook ran past the hook's timeout."""


class HookError(GatiError):
    """A hook was registered wrongly (bad signature, too many local hooks in one request)."""


class StartupError(GatiError):
    """A start-up callback failed; the application does not start."""


class NoRequestContext(GatiError, LookupError):
    """``current_lctx()`` was called outside a request."""
