"""Instructions per ``lctx.snapshot()`` and per ``LocalContext.restore(snapshot)``, the public
calls, at 10, 1,000 and 100,000 keys on both backends, counted by valgrind's callgrind (the
method of benches/instructions.py: each case runs ``N`` times inside one ``math.fsum`` call,
the only code counted). An empty call is counted too: subtract it for the call's own cost.

    python benches/snapshot_instructions.py      # needs valgrind (make system installs it)
"""

from __future__ import annotations

import gc
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    """The run under callgrind: one ``math.fsum`` (one count) per case."""
    calls = [call for _, call in cases()]
    gc.disable()
    for call in calls:
        for _ in range(50):
            call()
    for call in calls:

        def repeat(call: Callable[[], Any] = call) -> Any:
            for _ in range(N):
                call()
                yield 0.0

        math.fsum(repeat())


def count(backend: str) -> list[float]:
    """Instructions per call of each case under ``GATI_BACKEND=backend``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=math_fsum",
            "--dump-after=math_fsum",
            f"--callgrind-out-file={out}.%p",
            sys.executable,
            __file__,
            "--counted",
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0", "GATI_BACKEND": backend}
        subprocess.run(command, check=True, env=env, capture_output=True)
        dumps = sorted(Path(tmp).glob("cg.*.*"), key=lambda p: int(p.suffix[1:]))
        return [_total(p) / N for p in dumps]


def _total(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError(f"no total in {dump}")


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (make system installs it)")
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
