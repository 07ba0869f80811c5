"""Counting instructions with valgrind's callgrind, shared by the ``*instructions.py`` benches.

A script re-runs itself under callgrind with ``--counted``; there each call is warmed, then run
``n`` times inside one ``math.fsum`` call, the only code callgrind counts
(``--toggle-collect=math_fsum``) and after which it writes one count
(``--dump-after=math_fsum``): one count per call, in order.
"""

from __future__ import annotations

import gc
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def available() -> bool:
    """Whether valgrind is installed; says how to get it when it is not."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (make system installs it)")
        return False
    return True


def run_each(calls: Sequence[Callable[[], Any]], n: int, warm: int) -> None:
    """The counted run: each call ``warm`` times, then ``n`` times inside one ``math.fsum``."""
    gc.disable()
    for call in calls:
        for _ in range(warm):
            call()
    for call in calls:

        def repeat(call: Callable[[], Any] = call) -> Any:
            for _ in range(n):
                call()
                yield 0.0

        math.fsum(repeat())


def counts(
    script: str,
    args: Sequence[str],
    n: int,
    env: dict[str, str] | None = None,
    seeds: Sequence[int] = (0,),
) -> list[float]:
    """Instructions per call of each call ``script --counted *args`` runs with ``run_each``:
    the median over one run per hash seed of ``seeds``. A fixed seed makes a count repeatable,
    but one seed can land a dict on colliding hashes in one build and not the next (GET
    /hello's floor moved by 1,600 instructions with unrelated changes); the median of three
    seeds does not."""
    runs = [_counts(script, args, n, {**(env or {}), "PYTHONHASHSEED": str(s)}) for s in seeds]
    return [statistics.median(per_call) for per_call in zip(*runs, strict=True)]


def _counts(script: str, args: Sequence[str], n: int, env: dict[str, str]) -> list[float]:
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
            script,
            "--counted",
            *args,
        ]
        subprocess.run(command, check=True, env={**os.environ, **env}, capture_output=True)
        dumps = sorted(Path(tmp).glob("cg.*.*"), key=lambda p: int(p.suffix[1:]))
        return [_total(p) / n for p in dumps]


def _total(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError(f"no total in {dump}")
