"""Which engine runs a string pattern (docs/gtype.md §4): never a backtracking one by default.

* ``rust``: a deliberately small subset — literals, escaped punctuation, ``.``, flat classes of
  literals, ranges and ``\\d``, groups ``( )`` and ``(?: )``, alternation, greedy and lazy
  quantifiers, ``^``, and ``$`` only as the last character. The native backend runs it on
  Rust's ``regex``, the pure one on RE2; on it both give Python's ``search`` answer (a final
  ``$`` reads as ``\\n?\\z``, which is what Python's ``$`` means there).
* ``re2``: any other pattern RE2 accepts, run on RE2 by both backends (``re2_syntax`` keeps
  Python's Unicode ``\\d``, ``\\w`` and ``\\s`` outside classes and its ``$``).
* ``backtracking``: look-around, back-references and the rest, only when the schema opts in
  with ``pattern_timeout``; both backends run the ``regex`` module under that time limit.

Both linear engines take time linear in the text; the planner picks, so both backends agree.
"""

from __future__ import annotations

import re

__all__ = ["bounded", "linear_engine", "re2_syntax"]

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


def _in_subset(pattern: str) -> bool:
    """Whether ``pattern`` is in the ``rust`` subset, where Rust's ``regex`` and RE2 agree."""
    p, n, i = pattern, len(pattern), 0
    open_groups = 0
    repeatable = False
    while i < n:
        c = p[i]
        if c in "*+?{":
            if not repeatable:
                return False
            i = _quantifier_end(p, i)
            repeatable = False
        elif c == "\\":
            if i + 1 >= n or (p[i + 1] != "d" and p[i + 1] not in _ESCAPABLE):
                return False
            i, repeatable = i + 2, True
        elif c == "[":
            i, repeatable = _class_end(p, i), True
        elif c == "(":
            if p.startswith("(?:", i):
                i += 3
            elif p.startswith("(?", i):
                return False
            else:
                i += 1
            open_groups, repeatable = open_groups + 1, False
        elif c == ")":
            if open_groups == 0:
                return False
            open_groups, i, repeatable = open_groups - 1, i + 1, True
        elif c in "|^":
            i, repeatable = i + 1, False
        elif c == "$":
            if i != n - 1:
                return False
            i, repeatable = i + 1, False
        elif c == "." or _literal(c):
            i, repeatable = i + 1, True
        else:
            return False
        if i < 0:
            return False
    return open_groups == 0


# Python's Unicode classes, spelled for RE2 (whose own \\d, \\w and \\s are ASCII).
_CLASSES = {"d": r"\p{Nd}", "w": r"\p{L}\p{N}_", "s": r"\s\v\p{Z}\x1c-\x1f\x85"}
_MULTILINE = re.compile(r"\(\?[a-zA-Z]*m")


def re2_syntax(pattern: str) -> str:
    """``pattern`` as RE2 reads it with Python's meaning: Unicode ``\\d``/``\\w``/``\\s`` (and
    ``\\D``/``\\W``/``\\S`` outside classes), ``$`` as "end, or before a final newline" unless
    multi-line, ``\\Z`` as ``\\z``."""
    out: list[str] = []
    multiline = _MULTILINE.search(pattern) is not None
    i, n, class_start = 0, len(pattern), -1
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e in _CLASSES:
                out.append(_CLASSES[e] if class_start >= 0 else f"[{_CLASSES[e]}]")
            elif e.lower() in _CLASSES and class_start < 0:
                out.append(f"[^{_CLASSES[e.lower()]}]")
            else:
                out.append("\\z" if e == "Z" else pattern[i : i + 2])
            i += 2
            continue
        if class_start >= 0:
            opens = i == class_start + 1 or (i == class_start + 2 and pattern[i - 1] == "^")
            if c == "]" and not opens:
                class_start = -1
        elif c == "[":
            class_start = i
        elif c == "$" and not multiline:
            out.append(r"(?:\n?\z)")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def linear_engine(pattern: str) -> str | None:
    """``"rust"``, ``"re2"``, or None when only a backtracking engine can run ``pattern``."""
    if _in_subset(pattern):
        return "rust"
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(re2_syntax(pattern), options)
    except re2.error:
        return None
    return "re2"


def bounded(pattern: str) -> bool:
    """Whether ``pattern`` is in the ``rust`` subset with every repeat bounded (no ``*``, ``+``
    or ``{m,}``): then each match attempt of a backtracking engine is bounded by the pattern
    alone, so Python's ``re`` runs it in linear time too (and is quicker to call than RE2)."""
    if not _in_subset(pattern):
        return False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = _class_end(pattern, i)
        elif c in "*+" or (c == "{" and re.match(r"\{[0-9]+,\}", pattern[i:])):
            return False
        else:
            i += 1
    return True
