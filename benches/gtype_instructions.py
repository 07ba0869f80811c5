"""Instructions per GType operation, gati against its peers, counted by valgrind's callgrind (the
method of benches/instructions.py: each case runs ``N`` times inside one ``math.fsum`` call, the
only code counted). The cases are those of benches/test_gtype_bench.py; the count is steady
where wall-clock times on a busy machine are not. An empty call is counted too and subtracted.

    python benches/gtype_instructions.py                  # every case (needs valgrind)
    python benches/gtype_instructions.py "JSON" "dict"    # the groups holding either word
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benches import callgrind

N = 200
PEER = "pydantic-core"


def cases(only: list[str]) -> list[tuple[str, str, Callable[[], Any]]]:
    """(group, impl, call) for every case whose group holds a word of ``only`` (every case when
    it is empty), the empty call first."""
    from benches.test_gtype_bench import CASES

    made: list[tuple[str, str, Callable[[], Any]]] = [("", "empty call", lambda: None)]
    for group, impls in CASES.items():
        if not only or any(word in group for word in only):
            made.extend((group, impl, factory()) for impl, factory in impls.items())
    return made


def main(only: list[str]) -> int:
    if not callgrind.available():
        return 1
    made = cases(only)
    counts = callgrind.counts(__file__, only, N)
    empty = counts[0]
    peer: dict[str, float] = {
        group: n - empty for (group, impl, _), n in zip(made, counts, strict=True) if impl == PEER
    }
    print(f"\n## GType, instructions per call (callgrind, {N} calls; less the empty call)")
    shown = ""
    for (group, impl, _), n in zip(made[1:], counts[1:], strict=True):
        if group != shown:
            print(f"\n{group}")
            shown = group
        ratio = f"{(n - empty) / peer[group]:5.2f}x {PEER}" if group in peer else ""
        print(f"  {impl:14s} {n - empty:12,.0f}  {ratio}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        callgrind.run_each([call for _, _, call in cases(sys.argv[2:])], N, warm=50)
    else:
        sys.exit(main(sys.argv[1:]))
