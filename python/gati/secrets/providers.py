"""Secret providers: where ``gctx.secrets`` looks for a value, in the order given.

A provider is anything with ``async get(name) -> str | bytes | None`` (``None``: not here), or
an async callable ``(name) -> str | bytes | None``. Built in: environment variables under a
prefix, a directory of files (Docker and Kubernetes secrets), and a mapping.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DirectoryProvider",
    "EnvProvider",
    "MappingProvider",
    "Provider",
    "as_provider",
]

_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}\Z")
_MAX_FILE: Final = 1 << 20

Value = str | bytes


class Provider(Protocol):
    """A source of secret values."""

    async def get(self, name: str, /) -> Value | None: ...


def check_name(name: str) -> str:
    """Secret names are 1–255 characters of ``[A-Za-z0-9._-]`` not starting with ``.`` or
    ``-``: safe as a file name and an environment variable suffix."""
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
        raise ValueError(
            f"invalid secret name {name!r}: use letters, digits, '.', '_' and '-' "
            "(at most 255, starting with a letter or digit)"
        )
    return name


class EnvProvider:
    """``prefix`` + the name upper-cased with ``.`` and ``-`` as ``_``: with ``prefix="APP_"``,
    ``db-password`` is ``$APP_DB_PASSWORD``."""

    def __init__(self, prefix: str = "", *, environ: Mapping[str, str] | None = None) -> None:
        self.prefix = prefix
        self._environ = os.environ if environ is None else environ

    def variable(self, name: str) -> str:
        """The environment variable that holds ``name``."""
        return self.prefix + re.sub(r"[.-]", "_", name).upper()

    async def get(self, name: str) -> Value | None:
        return self._environ.get(self.variable(name))

    def __repr__(self) -> str:
        return f"EnvProvider(prefix={self.prefix!r})"


class DirectoryProvider:
    """One file per secret in ``path`` (``/run/secrets`` by default, Docker's place); the
    value is the file's text (bytes if it is not UTF-8) without a trailing newline."""

    def __init__(self, path: str | os.PathLike[str] = "/run/secrets") -> None:
        from pathlib import Path  # here: an app without this provider never needs pathlib

        self.path = Path(path)

    async def get(self, name: str) -> Value | None:
        return await asyncio.to_thread(self._read, self.path / name)

    @staticmethod
    def _read(file: Path) -> Value | None:
        try:
            with file.open("rb") as f:
                data = f.read(_MAX_FILE + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        if len(data) > _MAX_FILE:
            raise ValueError(f"secret file {file.name!r} is larger than {_MAX_FILE} bytes")
        data = data.removesuffix(b"\n").removesuffix(b"\r")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data

    def __repr__(self) -> str:
        return f"DirectoryProvider({str(self.path)!r})"


class MappingProvider:
    """Values from a mapping (tests, or values loaded by other means)."""

    def __init__(self, values: Mapping[str, Value]) -> None:
        self._values = values

    async def get(self, name: str) -> Value | None:
        return self._values.get(name)

    def __repr__(self) -> str:
        return f"MappingProvider({len(self._values)} names)"


class _CallableProvider:
    def __init__(self, fn: Callable[[str], Awaitable[Value | None]]) -> None:
        self._fn = fn

    async def get(self, name: str) -> Value | None:
        return await self._fn(name)

    def __repr__(self) -> str:
        return f"provider {getattr(self._fn, '__qualname__', self._fn)!r}"


def as_provider(source: Any) -> Provider:
    """A provider from a provider, a mapping or an async callable."""
    if callable(getattr(source, "get", None)) and asyncio.iscoroutinefunction(source.get):
        provider: Provider = source
        return provider
    if isinstance(source, Mapping):
        return MappingProvider(source)
    if callable(source):
        return _CallableProvider(source)
    raise TypeError(
        f"a secret provider needs an async get(name) method or to be an async callable, "
        f"not {type(source).__name__}"
    )
