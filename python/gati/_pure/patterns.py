"""String patterns for the pure validator: each pattern on the engine its plan names.

``rust`` and ``re2`` plans run on RE2 (google-re2), linear in the text's length, as the native
backend runs ``rust`` on Rust's ``regex`` and ``re2`` on the same RE2 (a ``rust`` pattern whose
repeats are all bounded runs on Python's ``re``, linear there too and quicker to call);
``backtracking`` plans (opted into with ``pattern_timeout``) run on the ``regex`` module under
that timeout. A string holding a lone surrogate is not text a linear engine can read: it matches
no ``rust`` or ``re2`` pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["searcher"]


def searcher(node: dict[str, Any]) -> Callable[[str], bool | None]:
    """``found(text)``: whether ``node``'s pattern occurs in ``text``, None on a timeout.

    The last answer is remembered for the last value object, so the fast and the exact path of
    one validation run the pattern once.
    """
    last: list[Any] = [(None, None)]
    if node["pattern_engine"] != "backtracking" and node.get("pattern_bounded"):
        # Linear on any engine: Python's `re` is quickest to call, and called from here (one
        # call per value where the engines below take two).
        found_in = re.compile(node["pattern"]).search

        def found_on_re(text: str) -> bool | None:
            seen, answer = last[0]
            if seen is not text:
                answer = (text.isascii() or _utf8(text)) and found_in(text) is not None
                last[0] = (text, answer)
            return answer  # type: ignore[no-any-return]

        return found_on_re
    search = _on_regex(node) if node["pattern_engine"] == "backtracking" else _on_re2(node)

    def found(text: str) -> bool | None:
        seen, answer = last[0]
        if seen is not text:
            answer = search(text)
            last[0] = (text, answer)
        return answer  # type: ignore[no-any-return]

    return found


def _utf8(text: str) -> bool:
    """Whether ``text`` is text a linear engine reads: a lone surrogate is not (no match)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _on_regex(node: dict[str, Any]) -> Callable[[str], bool | None]:
    """The search on the backtracking ``regex`` module, under the node's timeout."""
    import regex

    compiled = regex.compile(node["pattern"])
    timeout = float(node["pattern_timeout"])

    def search(text: str) -> bool | None:
        try:
            return compiled.search(text, timeout=timeout) is not None
        except TimeoutError:
            return None

    return search


def _on_re2(node: dict[str, Any]) -> Callable[[str], bool | None]:
    """The search on RE2."""
    import re2

    options = re2.Options()
    options.log_errors = False
    found_in = re2.compile(node["pattern_re2"], options).search

    def search(text: str) -> bool | None:
        try:
            return found_in(text) is not None
        except UnicodeEncodeError:  # a lone surrogate is not text: no match
            return False

    return search
