"""Instructions per ``lctx.snapshot()`` and per ``LocalContext.restore(snapshot)``, the public
calls, at 10, 1,000 and 100,000 keys on both backends, counted by valgrind's callgrind (the
method of benches/instructions.py: each case runs ``N`` times inside one ``math.fsum`` call,
the only code counted). An empty call is counted too: subtract it for the call's own cost.

    python benches/snapshot_instructions.py      # needs valgrind (make system installs it)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benches import callgrind

N = 200
SIZES = (10, 1000, 100_000)


def cases() -> list[tuple[str, Callable[[], Any]]]:
    """Each case's name and the call it counts (the active backend's)."""
    from gati import LocalContext

    made: list[tuple[str, Callable[[], Any]]] = [("empty call", lambda: None)]
    restore = LocalContext.restore
    for n in SIZES:
        lctx = LocalContext("snap")
        for i in range(n):
            lctx.state.set(f"key{i}", {"n": i} if i % 2 else i)
        snap = lctx.snapshot()
        made.append((f"lctx.snapshot(), {n:,} keys", lctx.snapshot))
        made.append((f"restore(snapshot), {n:,} keys", lambda snap=snap: restore(snap)))
    return made


def counted() -> None:
    """The run under callgrind: one count per case."""
    callgrind.run_each([call for _, call in cases()], N, warm=50)


def count(backend: str) -> list[float]:
    """Instructions per call of each case under ``GATI_BACKEND=backend``."""
    return callgrind.counts(__file__, [], N, {"GATI_BACKEND": backend})


def main() -> int:
    if not callgrind.available():
        return 1
    names = [name for name, _ in cases()]
    native, pure = count("native"), count("pure")
    print(f"\n## snapshot and restore, instructions per call (callgrind, {N} calls)")
    print(f"{'case':34s}  {'native':>9s}  {'pure':>11s}")
    for name, n, p in zip(names, native, pure, strict=True):
        print(f"{name:34s}  {n - native[0]:9,.0f}  {p - pure[0]:11,.0f}")
    print(f"(less the empty call: {native[0]:,.0f} native, {pure[0]:,.0f} pure)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--counted"]:
        counted()
    else:
        sys.exit(main())
