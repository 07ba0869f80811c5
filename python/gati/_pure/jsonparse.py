"""Strict RFC 8259 parsing for the pure validator's ``validate_json`` (docs/gtype.md §5).

``json.loads`` does the work; around it: UTF-8 only, no NaN/Infinity, no number that overflows
to infinity, no lone surrogate escapes, integers of any size, and nesting deeper than
``max_depth`` reported as ``depth_exceeded`` (whichever problem comes first in the document).
"""

from __future__ import annotations

import decimal
import json
import re
from typing import Any

__all__ = ["JSONProblem", "parse"]

_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)
_ESCAPES = re.compile(
    r"\\\\|(\\u[dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F]",
    re.ASCII,
)
_LITERAL_SURROGATE = re.compile(r"[\ud800-\udfff]")


class JSONProblem(Exception):
    """Why a document was refused: ``code`` is ``json_invalid`` or ``depth_exceeded``."""

    def __init__(self, code: str, detail: str = "", line: int = 1, column: int = 1) -> None:
        super().__init__(detail)
        self.code, self.detail, self.line, self.column = code, detail, line, column


class _BadLiteral(ValueError):
    def __init__(self, literal: str, detail: str) -> None:
        super().__init__(detail)
        self.literal = literal


def _reject_constant(literal: str) -> Any:
    raise _BadLiteral(literal, f"{literal} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _BadLiteral(literal, f"number {literal[:40]} is out of range")
    return value


def _big_int(literal: str) -> int:
    try:
        return int(literal)
    except ValueError:
        return int(decimal.Decimal(literal))


# Built once: json.loads with keyword arguments would build a decoder per call.
_CHECKED = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_BIG = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_big_int
)


def _invalid(text: str, pos: int, detail: str) -> JSONProblem:
    line = text.count("\n", 0, pos) + 1
    return JSONProblem("json_invalid", detail, line, pos - text.rfind("\n", 0, pos))


def _too_deep_at(text: str, max_depth: int) -> int | None:
    """Where the nesting first goes deeper than ``max_depth``, or None."""
    if text.count("[") + text.count("{") <= max_depth:
        return None
    depth = 0
    for m in _STRING_OR_BRACKET.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > max_depth:
                return m.start()
        elif c in "]}":
            depth -= 1
    return None


def _decode(data: bytes | bytearray | memoryview | str) -> str:
    if isinstance(data, str):
        bad = _LITERAL_SURROGATE.search(data)
        if bad is not None:
            raise _invalid(data, bad.start(), "lone surrogate in the text")
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"validate_json takes bytes or str, not {type(data).__name__}")
    raw = bytes(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8")
        raise _invalid(prefix, len(prefix), f"invalid UTF-8 ({exc.reason})") from None


def _check_surrogate_escapes(text: str) -> None:
    for m in _ESCAPES.finditer(text):
        if m.group() != "\\\\" and (m.group(1) is None or m.group(2) is None):
            raise _invalid(text, m.start(), "lone surrogate escape")


def parse(data: bytes | bytearray | memoryview | str, max_depth: int) -> Any:
    """The parsed document, or ``JSONProblem``; a non-bytes, non-str input is a ``TypeError``."""
    text = _decode(data)
    deep_at = _too_deep_at(text, max_depth)
    try:
        try:
            value = _CHECKED.decode(text)
        except (_BadLiteral, json.JSONDecodeError):
            raise
        except ValueError:  # an integer past the interpreter's digit limit
            value = _BIG.decode(text)
    except json.JSONDecodeError as exc:
        if deep_at is not None and deep_at < exc.pos:
            raise JSONProblem("depth_exceeded") from None
        raise _invalid(text, exc.pos, exc.msg) from None
    except _BadLiteral as exc:
        pos = text.find(exc.literal)
        if deep_at is not None and deep_at < pos:
            raise JSONProblem("depth_exceeded") from None
        raise _invalid(text, pos, str(exc)) from None
    except RecursionError:
        raise JSONProblem("depth_exceeded") from None
    if deep_at is not None:
        raise JSONProblem("depth_exceeded")
    if _SURROGATE_ESCAPE.search(text) is not None:
        _check_surrogate_escapes(text)
    return value
