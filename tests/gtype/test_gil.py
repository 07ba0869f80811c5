"""A long native validation lets other Python threads run (rust/gtype/pause.rs): a large body
validated on a worker thread must not keep the event loop's thread from the GIL throughout.

Not a timing assertion: a thread stamps the clock as fast as it can; without the pauses it
cannot run at all while the native call holds the GIL, so no stamp can fall inside the call.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

native = pytest.importorskip("gati._native")


def stamps_during(call: Callable[[], Any]) -> int:
    """How many clock stamps another thread made strictly inside ``call()``."""
    stamps: list[float] = []
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            stamps.append(time.perf_counter())

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        while not stamps:  # the spinner is running
            time.sleep(0.001)
        started = time.perf_counter()
        call()
        ended = time.perf_counter()
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(old)
    return sum(started < s < ended for s in stamps)


@pytest.mark.parametrize("kind", ["items", "unique_items"])
def test_other_threads_run_while_a_large_value_is_validated(kind: str) -> None:
    # In a fresh interpreter: threads other tests leave behind would compete for the GIL at each
    # pause, and the spinner must also be given a core by the OS during the call, so a few tries.
    code = f"""
import sys
sys.path[:0] = {sys.path!r}
from gati import gt
from gati.gtype._plan import make_plan
from gati import _native
from tests.gtype.test_gil import stamps_during
items = gt.integer(min=0) if {kind!r} == "items" else gt.integer()
schema = gt.array(items, unique_items={kind!r} == "unique_items")
validator = _native.Validator(make_plan(schema.core()))
data = list(range(1_000_000))
print(max(stamps_during(lambda: validator.validate(data)) for _ in range(5)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 0
