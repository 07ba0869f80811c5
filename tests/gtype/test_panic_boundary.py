"""Every native entry point has the one panic boundary (rust/boundary.rs): a Rust panic in any
module reaches Python as ``RuntimeError``, never as PyO3's ``PanicException`` (a
``BaseException``), and the module keeps working afterwards.

The trigger, ``_panic_next()``, exists only in test builds (``make test-debug`` builds the
extension with the ``test-panic`` feature); the production module has no test entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gati import LocalContext, Response
from tests.gtype.plans import node, plan

native = pytest.importorskip("gati._native")
pytestmark = pytest.mark.skipif(
    not hasattr(native, "_panic_next"), reason="needs a test-panic build (make test-debug)"
)


class HookRecord:
    """What the hook planner reads from a hook."""

    def __init__(self, kind: str, level: str) -> None:
        self.kind, self.level, self.priority, self.id = kind, level, 0, f"{kind}-{level}"


class _Loop:
    """What a watchdog calls on its loop, without an event loop to close afterwards."""

    def time(self) -> float:
        return 0.0

    def call_at(self, when: float, callback: Callable[[], Any]) -> _Loop:
        return self

    def cancel(self) -> None:
        return None


def entry_points() -> dict[str, Callable[[], Any]]:
    """One call per module, its objects built before the panic is armed."""
    validator = native.Validator(plan(node("integer")))
    store = native.StateStore(native.copy_value)
    store.set("k", [1])
    snapshot = store.snapshot()
    record = native.Snapshot(store, "r", "routed", 0, None, (), ())
    router = native.Router()
    router.insert([("static", "items"), ("int", "id")])
    scope, lctx = {"headers": []}, LocalContext("r", method="GET", path="/", route="/")
    recorded = native.RecordCore(scope, None, lctx, Response(), lambda record: None)
    ring = native.RingBuffer(2, 10_000)
    watchdog = native.Watchdog(_Loop())
    return {
        "gtype validate": lambda: validator.validate(1),
        "gtype validate_json": lambda: validator.validate_json(b"1"),
        "gtype is_valid": lambda: validator.is_valid(1),
        "gtype compile": lambda: native.Validator(plan(node("string"))),
        "state set": lambda: store.set("k", 2),
        "state get": lambda: store.get("k"),
        "state snapshot": store.snapshot,
        "state snapshot get": lambda: snapshot.get("k"),
        "state snapshot record": lambda: native.Snapshot(store, "r", "x", 0, None, (), ()),
        "state snapshot record restore": record.new_store,
        "state take_snapshot": lambda: native.take_snapshot(store, "r", "x", 0, None, (), ()),
        "state copy": lambda: native.copy_value({"a": [1]}),
        "router lookup": lambda: router.lookup("/items/3"),
        "router insert": lambda: router.insert([("static", "other")]),
        "hooks plan": lambda: native.plan_hooks([HookRecord("before", "global")]),
        "ingress scan": lambda: native.scan_headers([(b"x-request-id", b"abc")]),
        "ingress ids": native.new_request_id,
        "ingress read": lambda: native.read_ingress({"headers": []}),
        "ingress record": native.Ingress,
        "response messages": lambda: native.response_messages("GET", Response(), b"r"),
        "playground record": lambda: native.RecordCore(scope, None, lctx, None, print),
        "playground record end": lambda: recorded.end(("request.end", 1, None, 0, 1, None, None)),
        "playground ring add": lambda: ring.add(native.RecordCore(scope, None, lctx, None, ring)),
        "playground ring get": lambda: ring.get("1"),
        "playground ring newest": lambda: ring.newest(2),
        "watchdog new": lambda: native.Watchdog(_Loop()),
        "watchdog arm": lambda: watchdog.arm("task", 30.0),
        "watchdog arm_running": lambda: watchdog.arm_running(30.0),
        "watchdog disarm": lambda: watchdog.disarm("task"),
        "watchdog schedule": lambda: watchdog.schedule(1.0),
        "watchdog fire": watchdog._fire,
    }


@pytest.mark.parametrize("name", list(entry_points()))
def test_a_panic_in_every_module_is_a_runtime_error(name: str) -> None:
    call = entry_points()[name]
    native._panic_next()
    with pytest.raises(RuntimeError, match="deliberate panic"):
        call()
    call()  # the module still works
