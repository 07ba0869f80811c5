"""The pure-Python route tree, twin of the native ``Router`` (``rust/router``).

Matching is a depth-first search that tries, at every segment, the static child, then the
typed parameters in a fixed order (``int``, ``float``, ``uuid``, ``str``), then a trailing
``path`` catch-all; static therefore beats parameters whatever the registration order.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from gati._tables import JSON_INTEGER, JSON_NUMBER, PARAM_KINDS
from gati._text import is_text

__all__ = ["Router"]

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(JSON_INTEGER)
_NUMBER = re.compile(JSON_NUMBER)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_PARAM_ORDER = PARAM_KINDS[:-1]  # the catch-all ``path`` is tried apart, last


def _int(raw: str) -> int | None:
    """A JSON integer within a signed 64-bit integer, else ``None``; never a conversion of
    more than 20 characters, as the native router."""
    if len(raw) > 20 or _INTEGER.match(raw) is None:
        return None
    value = int(raw)
    return value if _INT_MIN <= value <= _INT_MAX else None


def _float(raw: str) -> float | None:
    """A JSON number with a finite value (``inf`` does not match), else ``None``."""
    if _NUMBER.match(raw) is None:
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


_ACCEPTS: dict[str, Callable[[str], bool]] = {
    "int": lambda raw: _int(raw) is not None,
    "float": lambda raw: _float(raw) is not None,
    "uuid": lambda raw: _UUID.match(raw) is not None,
    "str": bool,
}
_CONVERT: dict[str, Callable[[str], Any]] = {
    "int": _int,
    "float": _float,
    "uuid": uuid.UUID,
    "str": str,
    "path": str,
}
_EXPECTED = ", ".join(PARAM_KINDS[:-1]) + " or " + PARAM_KINDS[-1]


class _Endpoint:
    __slots__ = ("index", "params")

    def __init__(self, index: int, params: list[tuple[str, str]]) -> None:
        self.index = index
        self.params = params


class _Node:
    __slots__ = ("catch_all", "endpoint", "params", "statics")

    def __init__(self) -> None:
        self.statics: dict[str, _Node] = {}
        self.params: dict[str, _Node] = {}
        self.endpoint: _Endpoint | None = None
        self.catch_all: _Endpoint | None = None


class Router:
    """Route tree: ``insert(segments) -> index``, ``lookup(path) -> (index, params) | None``."""

    __slots__ = ("_len", "_root")

    def __init__(self) -> None:
        self._root = _Node()
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def insert(self, segments: Sequence[tuple[str, str]]) -> int:
        """Register a pattern of ``(kind, text)`` pairs; ``ValueError`` when it cannot be."""
        for kind, _ in segments:
            if kind != "static" and kind not in _CONVERT:
                raise ValueError(f"unknown parameter type {kind!r} (expected {_EXPECTED})")
        node = self._root
        params: list[tuple[str, str]] = []
        for i, (kind, text) in enumerate(segments):
            if kind == "static":
                node = node.statics.setdefault(text, _Node())
            elif kind == "path":
                if i + 1 != len(segments):
                    raise ValueError("a 'path' parameter must be the last segment")
                params.append((kind, text))
                if node.catch_all is not None:
                    raise ValueError(f"pattern conflicts with route #{node.catch_all.index}")
                node.catch_all = _Endpoint(self._len, params)
                self._len += 1
                return self._len - 1
            else:
                params.append((kind, text))
                node = node.params.setdefault(kind, _Node())
        if node.endpoint is not None:
            raise ValueError(f"pattern conflicts with route #{node.endpoint.index}")
        node.endpoint = _Endpoint(self._len, params)
        self._len += 1
        return self._len - 1

    def lookup(self, path: str) -> tuple[int, dict[str, Any]] | None:
        """The matching pattern's index and its converted parameters, or ``None`` (also for a
        path that is not valid Unicode text, such as one holding lone surrogates)."""
        if not path.startswith("/") or (not path.isascii() and not is_text(path)):
            return None
        segments = path[1:].split("/")
        values: list[str] = []
        found = _walk(self._root, segments, 0, values)
        if found is None:
            return None
        converted = {
            name: _CONVERT[kind](raw)
            for (kind, name), raw in zip(found.params, values, strict=True)
        }
        return found.index, converted


def _walk(node: _Node, segments: list[str], i: int, values: list[str]) -> _Endpoint | None:
    if i == len(segments):
        return node.endpoint
    segment = segments[i]
    child = node.statics.get(segment)
    if child is not None:
        found = _walk(child, segments, i + 1, values)
        if found is not None:
            return found
    if node.params:
        for kind in _PARAM_ORDER:
            child = node.params.get(kind)
            if child is not None and _ACCEPTS[kind](segment):
                values.append(segment)
                found = _walk(child, segments, i + 1, values)
                if found is not None:
                    return found
                values.pop()
    if node.catch_all is None:
        return None
    values.append("/".join(segments[i:]))
    return node.catch_all
