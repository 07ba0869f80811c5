"""The native side keeps its own copy of each shared table; these tests hold it to
``gati._tables`` by behaviour (and the pure twins read the tables directly)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gati._backend import pair
from gati._tables import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    HEADER_SLOTS,
    HOOK_KINDS,
    HOOK_LEVELS,
    PARAM_KINDS,
    PLAN_LEVELS,
    RARE_SLOTS,
    REQUEST_ID,
    STATE_MAX_DEPTH,
    USER_AGENT,
)

pytest.importorskip("gati._native")
BOTH = ("native", "pure")


def side(name: str, which: str) -> Any:
    native, pure = pair(name)
    return native if which == "native" else pure


@pytest.mark.parametrize("which", BOTH)
def test_header_slots_are_the_tables(which: str) -> None:
    scan = side("scan_headers", which)
    read_here = {CONTENT_TYPE: 2, CONTENT_LENGTH: 3, REQUEST_ID: 0, USER_AGENT: 1}
    for name, slot in HEADER_SLOTS.items():
        out = scan([(name, b"7")])
        if slot in read_here:
            assert out[read_here[slot]] in (b"7", "7", 7), (name, out)
            assert out[4] is None
        else:
            assert out[4] is not None and len(out[4]) == RARE_SLOTS, name
            assert out[4][slot] == b"7", (name, out[4])
    assert scan([(b"x-unknown", b"7")])[4] is None


def hook(kind: str, level: str) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, level=level, priority=0, id=f"{kind}-{level}")


@pytest.mark.parametrize("which", BOTH)
def test_hook_kinds_and_plan_levels_are_the_tables(which: str) -> None:
    plan = side("plan_hooks", which)
    for kind in HOOK_KINDS:
        for level in PLAN_LEVELS:
            chains = plan([hook(kind, level)])
            assert chains[HOOK_KINDS.index(kind)] == [0]
    for level in set(HOOK_LEVELS) - set(PLAN_LEVELS):
        with pytest.raises(ValueError, match="route plan"):
            plan([hook("before", level)])
    with pytest.raises(ValueError, match="hook kind"):
        plan([hook("around", "global")])


@pytest.mark.parametrize("which", BOTH)
def test_router_parameter_kinds_are_the_table(which: str) -> None:
    router_class = side("Router", which)
    for kind in PARAM_KINDS:
        router_class().insert([("static", "x"), (kind, "p")])
    with pytest.raises(ValueError, match="unknown parameter type"):
        router_class().insert([("static", "x"), ("bool", "p")])
    # Matching order: int before float before uuid before str.
    router = router_class()
    for kind in reversed(PARAM_KINDS[:-1]):
        router.insert([(kind, "p"), ("static", kind)])
    found = router.lookup("/12345678-1234-1234-1234-123456789012/uuid")
    assert found is not None and found[0] == PARAM_KINDS[:-1][::-1].index("uuid")


@pytest.mark.parametrize("which", BOTH)
def test_state_depth_is_the_table(which: str) -> None:
    copy_value = side("copy_value", which)

    def nested(depth: int) -> Any:
        value: Any = 0
        for _ in range(depth):
            value = [value]
        return value

    copy_value(nested(STATE_MAX_DEPTH))
    with pytest.raises(ValueError, match=f"deeper than {STATE_MAX_DEPTH}"):
        copy_value(nested(STATE_MAX_DEPTH + 1))
