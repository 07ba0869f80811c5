"""A long native validation lets other Python threads run (rust/gtype/pause.rs): a large body
validated on a worker thread must not keep the event loop's thread from the GIL throughout.

Not a timing assertion: a thread stamps the clock as fast as it can; without the pauses it
cannot run at all while the native call holds the GIL, so no stamp can fall inside the call.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from gati import gt
from gati.gtype._plan import make_plan

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


@pytest.mark.parametrize(
    "schema",
    [gt.array(gt.integer(min=0)), gt.array(gt.integer(), unique_items=True)],
    ids=["items", "unique_items"],
)
def test_other_threads_run_while_a_large_value_is_validated(schema: Any) -> None:
    validator = native.Validator(make_plan(schema.core()))
    data = list(range(1_000_000))
    # The spinner must also be given a core by the OS during the call; on a loaded machine one
    # call can pass before it is. Without the pauses no attempt could ever see a stamp.
    assert any(stamps_during(lambda: validator.validate(data)) > 0 for _ in range(5))
