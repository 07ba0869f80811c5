"""Differential: the native router and its pure twin agree exactly on generated tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._pure.router import Router as PureRouter
from gati.http.routing import parse_pattern

native = pytest.importorskip("gati._native")

# Backend-independent (it builds what it compares itself): the Makefile runs it in one pass.
pytestmark = pytest.mark.once

STATIC = st.sampled_from(["a", "b", "users", "me", "1", "2.5", "", "x-y", "é"])
PARAM = st.sampled_from(["{p}", "{p:int}", "{p:float}", "{p:uuid}", "{p:str}"])
UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
SEGMENT_VALUES = st.sampled_from(
    [
        "a",
        "b",
        "users",
        "me",
        "1",
        "007",
        "2.5",
        "1.",
        "",
        "x-y",
        "é",
        UUID,
        "9" * 25,
        "-3",
        "\udcff",
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(STATIC, PARAM), min_size=0, max_size=4))
    names = [p.replace("{p", f"{{p{i}") if p.startswith("{") else p for i, p in enumerate(parts)]
    tail = draw(st.sampled_from(["", "/{rest:path}"]))
    return "/" + "/".join(names) + tail


paths = st.lists(SEGMENT_VALUES, min_size=0, max_size=6).map(lambda s: "/" + "/".join(s))


def build(router_cls: type, table: list[str]) -> list[object]:
    router = router_cls()
    outcomes: list[object] = []
    for pattern in table:
        try:
            outcomes.append(router.insert(parse_pattern(pattern)))
        except ValueError as exc:
            outcomes.append(str(exc))
    return [router, *outcomes]


@settings(max_examples=200, deadline=None)
@given(st.lists(patterns(), min_size=1, max_size=12), st.lists(paths, min_size=1, max_size=12))
def test_native_and_pure_agree(table: list[str], probes: list[str]) -> None:
    pure, *pure_out = build(PureRouter, table)
    fast, *fast_out = build(native.Router, table)
    assert pure_out == fast_out
    for path in probes:
        assert pure.lookup(path) == fast.lookup(path), path  # type: ignore[attr-defined]


NUMBER_TEXT = st.one_of(
    st.sampled_from(
        [
            "0",
            "-0",
            "00",
            "007",
            "-01",
            "+1",
            "1_0",
            " 5",
            "5 ",
            "٥",
            "５",
            "1e5",
            "1E-2",
            "1e+3",
            "1.5e3",
            "1.",
            ".5",
            "1e",
            "1e+",
            "-",
            "0.0",
            "9" * 19,
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "9" * 400,
            "1e400",
            "1e-400",
            "inf",
            "nan",
            "0x10",
        ]
    ),
    st.from_regex(r"\A-?[0-9]{1,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{0,3})?\Z"),
    st.text(alphabet="0123456789-+.eE_٥ ", min_size=1, max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(NUMBER_TEXT)
def test_number_segments_follow_json_grammar_on_both_routers(text: str) -> None:
    """An ``int``/``float`` segment matches exactly when it is a JSON integer/number (no leading
    zeros, ASCII digits, '-' the only sign) within range; both routers agree on each one."""
    import math
    import re

    from gati._tables import JSON_INTEGER, JSON_NUMBER

    table = ["/i/{v:int}", "/f/{v:float}"]
    pure, *_ = build(PureRouter, table)
    fast, *_ = build(native.Router, table)
    for prefix in ("/i/", "/f/"):
        assert pure.lookup(prefix + text) == fast.lookup(prefix + text), prefix + text  # type: ignore[attr-defined]
    is_int = re.match(JSON_INTEGER, text) is not None and -(2**63) <= int(text) < 2**63
    is_float = re.match(JSON_NUMBER, text) is not None and math.isfinite(float(text))
    assert (fast.lookup("/i/" + text) is not None) == is_int  # type: ignore[attr-defined]
    assert (fast.lookup("/f/" + text) is not None) == is_float  # type: ignore[attr-defined]
    if is_int:
        assert fast.lookup("/i/" + text) == (0, {"v": int(text)})  # type: ignore[attr-defined]
