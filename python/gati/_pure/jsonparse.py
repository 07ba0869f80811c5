"""Strict RFC 8259 parsing for the pure validator's ``validate_json`` (docs/gtype.md §5).

orjson reads the documents it reads exactly as specified: it refuses NaN/Infinity, numbers
that overflow to infinity, lone surrogates (escaped or not), a byte order mark and every
syntax error, which all go to the exact path below. Two differences are screened out before
it runs: integers past 64 bits (orjson makes them floats) and nesting it would accept beyond
``max_depth``. The exact path is ``json.loads`` with the checks around it: UTF-8 only, no
NaN/Infinity, no number that overflows to infinity, no lone surrogate escapes, no integer of
more than 4,300 digits, and nesting deeper than ``max_depth`` reported as ``depth_exceeded``
(whichever problem comes first in the document), measured before the decoder's recursion ever
sees it; it also places the problem (line, column) of every refused document.
"""

from __future__ import annotations

import decimal
import json
import re
from typing import Any

import orjson

__all__ = ["JSONProblem", "parse"]

# A string, or a run of opening or closing brackets: one match each. A string that is not
# closed runs to the end, so the scan stays linear.
_STRING_OR_RUN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[\[{]+|[\]}]+', re.DOTALL)
_RUNS = re.compile(rb"\[+|\]+")
_OPEN = ord("[")
# Leaf-peeling passes before the walk over bracket runs (each costs one copy of the brackets).
_PASSES = 4
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)
_ESCAPES = re.compile(
    r"\\\\|(\\u[dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F]",
    re.ASCII,
)
_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_KEPT = bytes(b for b in range(256) if b not in b'"[]{}')


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


MAX_INT_DIGITS = 4300
"""Integer literals longer than this are refused, whatever the interpreter's own limit: both
conversions of longer digit strings to ``int`` are quadratic (Python's default limit, too)."""

# Digits to "0", everything else to " ": a run of MAX_INT_DIGITS + 1 zeros then marks a long
# digit run, found at C speed.
_DIGIT_RUNS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * (MAX_INT_DIGITS + 1)


def _bounded_int(literal: str) -> int:
    if len(literal) - literal.startswith("-") > MAX_INT_DIGITS:
        raise _BadLiteral(literal, f"integer of more than {MAX_INT_DIGITS} digits")
    try:
        return int(literal)
    except ValueError:  # the interpreter's digit limit was set lower
        return int(decimal.Decimal(literal))


# Built once: json.loads with keyword arguments would build a decoder per call.
_CHECKED = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_BOUNDED = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
)


def _load(text: str, raw: bytes) -> Any:
    """``json.loads`` with the checks above; the plain decoder when no digit run is long."""
    if len(raw) > MAX_INT_DIGITS and raw.translate(_DIGIT_RUNS).find(_LONG_RUN) >= 0:
        return _BOUNDED.decode(text)
    try:
        return _CHECKED.decode(text)
    except (_BadLiteral, json.JSONDecodeError):
        raise
    except ValueError:  # an integer past a digit limit set lower than ours
        return _BOUNDED.decode(text)


def _invalid(text: str, pos: int, detail: str) -> JSONProblem:
    line = text.count("\n", 0, pos) + 1
    return JSONProblem("json_invalid", detail, line, pos - text.rfind("\n", 0, pos))


def _deeper_than(raw: bytes, max_depth: int) -> bool:
    """Whether the decoder could go deeper than ``max_depth`` in ``raw`` (a cheap, linear test;
    it may say yes for a document only ``_PASSES`` levels shallower, never no for a deep one).

    Escapes and everything but quotes and brackets are deleted, then the strings, leaving the
    brackets (all made ``[]``). A few ``replace`` passes each peel one level off every leaf,
    then one walk over the runs of equal brackets measures what is left.
    """
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    kept = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_SQUARE, _NOT_KEPT)
    brackets = b"".join(kept.split(b'"')[::2])
    passes = 0
    while passes < _PASSES:
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets, passes = shorter, passes + 1
    depth, limit = 0, max_depth - passes
    for run in _RUNS.finditer(brackets):
        if brackets[run.start()] == _OPEN:
            depth += run.end() - run.start()
            if depth > limit:
                return True
        else:
            depth -= run.end() - run.start()
            if depth < 0:  # the decoder stops at the first unmatched close
                break
    return limit < 0  # the passes alone peeled more levels than allowed


def _too_deep_at(text: str, max_depth: int) -> int | None:
    """Where the nesting first goes deeper than ``max_depth``, or None (any document)."""
    if text.count("[") + text.count("{") <= max_depth:
        return None
    depth = 0
    for m in _STRING_OR_RUN.finditer(text):
        c = m.group()[0]
        if c in "[{":
            if depth + len(m.group()) > max_depth:
                return m.start() + max_depth - depth
            depth += len(m.group())
        elif c in "]}":
            depth -= len(m.group())
    return None


def _lone_surrogate_at(text: str) -> int | None:
    """Where the first lone surrogate escape (``\\ud800`` unpaired) is, or None."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return None
    for m in _ESCAPES.finditer(text):
        if m.group() != "\\\\" and (m.group(1) is None or m.group(2) is None):
            return m.start()
    return None


def _first_problem(
    text: str, max_depth: int, pos: int | None = None, detail: str = ""
) -> JSONProblem:
    """The first problem of a document known to have one, in document order.

    Candidates: nesting deeper than ``max_depth``, a lone surrogate escape, and the error
    the parser or decoder found at ``pos``.
    """
    candidates: list[tuple[int, str | None]] = []
    deep_at = _too_deep_at(text, max_depth)
    if deep_at is not None:
        candidates.append((deep_at, None))
    lone = _lone_surrogate_at(text)
    if lone is not None:
        candidates.append((lone, "lone surrogate escape"))
    if pos is not None:
        candidates.append((pos, detail))
    if not candidates:  # the parser ran out of stack: deeper than it can go
        return JSONProblem("depth_exceeded")
    at, why = min(candidates, key=lambda c: c[0])
    return JSONProblem("depth_exceeded") if why is None else _invalid(text, at, why)


def _decode(data: bytes | bytearray | memoryview | str) -> tuple[str, bytes]:
    """The document as text and as UTF-8 bytes; text that is not UTF-8 is refused first."""
    if isinstance(data, str):
        try:
            return data, data.encode()
        except UnicodeEncodeError as exc:
            raise _invalid(data, exc.start, "lone surrogate in the text") from None
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"validate_json takes bytes or str, not {type(data).__name__}")
    raw = bytes(data)
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8")
        raise _invalid(prefix, len(prefix), f"invalid UTF-8 ({exc.reason})") from None


# A run of 19 digits may be an integer past 64 bits, which orjson would read as a float.
_LONG_INT = b"0" * 19


def parse(data: bytes | bytearray | memoryview | str, max_depth: int) -> Any:
    """The parsed document, or ``JSONProblem``; a non-bytes, non-str input is a ``TypeError``.

    orjson reads the document when it is certain to read it as the exact path would (bytes
    holding no long digit run and not too many brackets, that orjson accepts); the exact path
    reads every other one. There the nesting is measured before decoding (the decoder recurses
    on the C stack), and only the part of a too-deep document before its first too-deep
    bracket is ever decoded, to find any earlier problem: no document, however deep, reaches
    the decoder's recursion.
    """
    raw: Any = data
    if isinstance(data, str):
        try:
            raw = data.encode()
        except UnicodeEncodeError:  # a lone surrogate: the exact path places it
            raw = None
    # The orjson path is written out here, not called: a call costs more than its checks. A
    # document orjson reads is well formed: nesting deeper than ``max_depth`` needs more than
    # twice as many bytes, so shorter documents skip the two counts. find, not `in`: bytes'
    # `in` first tries its operand as an int, and raising and clearing that TypeError cost
    # more than the search.
    if (
        isinstance(raw, bytes)
        and (len(raw) <= 2 * max_depth or raw.count(b"[") + raw.count(b"{") <= max_depth)
        and (len(raw) < len(_LONG_INT) or raw.translate(_DIGIT_RUNS).find(_LONG_INT) < 0)
    ):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return _exact(data, max_depth)


def _exact(data: bytes | bytearray | memoryview | str, max_depth: int) -> Any:
    """The exact path of ``parse``."""
    text, raw = _decode(data)
    deep_at = _too_deep_at(text, max_depth) if _deeper_than(raw, max_depth) else None
    try:
        value = _load(text if deep_at is None else text[:deep_at], raw)
    except json.JSONDecodeError as exc:
        if deep_at is not None and exc.pos >= deep_at:
            raise _first_problem(text, max_depth) from None
        raise _first_problem(text, max_depth, exc.pos, exc.msg) from None
    except _BadLiteral as exc:
        raise _first_problem(text, max_depth, text.find(exc.literal), str(exc)) from None
    except RecursionError:
        raise _first_problem(text, max_depth) from None
    if deep_at is not None or _lone_surrogate_at(text) is not None:
        raise _first_problem(text, max_depth)
    return value
