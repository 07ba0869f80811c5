"""Which patterns Rust's ``regex`` crate may run in place of Python's ``re`` (docs/gtype.md §4).

The subset is deliberately small: literals, escaped punctuation, ``.``, flat classes of literals,
ranges and ``\\d``, groups ``( )`` and ``(?: )``, alternation, greedy and lazy quantifiers, ``^``,
and ``$`` only as the last character. On it both engines give the same ``search`` answer (the
native backend reads a final ``$`` as ``\\n?\\z``, which is what Python's ``$`` means there).
Anything else runs on Python's ``re``.
"""

from __future__ import annotations

import re

__all__ = ["pattern_engine"]

_ESCAPABLE = frozenset(".\\+*?()[]{}|^$-/")
_REPEAT = re.compile(r"\{([0-9]{1,4})(,([0-9]{0,4}))?\}", re.ASCII)
_MAX_REPEAT = 1000


def _literal(c: str, in_class: bool = False) -> bool:
    special = "\\[]&~-^" if in_class else "\\[](){}|^$.*+?"
    return c not in special and ord(c) >= 0x20 and c != "\x7f"


def _class_atom(p: str, i: int) -> tuple[int, bool]:
    """One class atom at ``p[i]``: (index after it, whether it may bound a range); -1 if bad."""
    c = p[i]
    if c == "\\":
        if i + 1 >= len(p):
            return -1, False
        e = p[i + 1]
        if e == "d":
            return i + 2, False
        return (i + 2, True) if e in _ESCAPABLE else (-1, False)
    return (i + 1, True) if _literal(c, in_class=True) else (-1, False)


def _class_end(p: str, i: int) -> int:
    """Index just after the class starting at ``p[i] == "["``, or -1 if outside the subset."""
    n = len(p)
    j = i + 1
    if j < n and p[j] == "^":
        j += 1
    if j < n and p[j] == "-":
        j += 1
    if j >= n or p[j] == "]":
        return -1 if j >= n or p[j - 1] != "-" else j + 1
    while j < n and p[j] != "]":
        if p[j] == "-":
            if j + 1 < n and p[j + 1] == "]":
                j += 1
                continue
            return -1
        j, bound = _class_atom(p, j)
        if j < 0:
            return -1
        if bound and j + 1 < n and p[j] == "-" and p[j + 1] != "]":
            j, bound = _class_atom(p, j + 1)
            if j < 0 or not bound:
                return -1
    return j + 1 if j < n else -1


def _quantifier_end(p: str, i: int) -> int:
    """Index after the quantifier at ``p[i]`` (and its lazy ``?``), or -1 if outside the subset."""
    if p[i] == "{":
        m = _REPEAT.match(p, i)
        if m is None:
            return -1
        low, high = int(m.group(1)), m.group(3)
        if low > _MAX_REPEAT or (high and (int(high) > _MAX_REPEAT or int(high) < low)):
            return -1
        i = m.end()
    else:
        i += 1
    if i < len(p) and p[i] == "?":
        i += 1
    if i < len(p) and p[i] in "*+?{":
        return -1
    return i


def pattern_engine(pattern: str) -> str:
    """``"rust"`` when both engines agree on ``pattern`` by construction, else ``"python"``."""
    p, n, i = pattern, len(pattern), 0
    open_groups = 0
    repeatable = False
    while i < n:
        c = p[i]
        if c in "*+?{":
            if not repeatable:
                return "python"
            i = _quantifier_end(p, i)
            repeatable = False
        elif c == "\\":
            if i + 1 >= n or (p[i + 1] != "d" and p[i + 1] not in _ESCAPABLE):
                return "python"
            i, repeatable = i + 2, True
        elif c == "[":
            i, repeatable = _class_end(p, i), True
        elif c == "(":
            if p.startswith("(?:", i):
                i += 3
            elif p.startswith("(?", i):
                return "python"
            else:
                i += 1
            open_groups, repeatable = open_groups + 1, False
        elif c == ")":
            if open_groups == 0:
                return "python"
            open_groups, i, repeatable = open_groups - 1, i + 1, True
        elif c in "|^":
            i, repeatable = i + 1, False
        elif c == "$":
            if i != n - 1:
                return "python"
            i, repeatable = i + 1, False
        elif c == "." or _literal(c):
            i, repeatable = i + 1, True
        else:
            return "python"
        if i < 0:
            return "python"
    return "rust" if open_groups == 0 else "python"
