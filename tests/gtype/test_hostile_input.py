"""Hostile input within the default limits: no quadratic, backtracking or crashing path on
either backend (unique_items, huge integers, patterns, deep JSON, deep recursion).

None of these measures time: a path that is quadratic or exponential again makes its test run
for minutes, and the counting tests fail outright.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from gati import SchemaError, ValidationError, gt
from gati._pure import gtype as pure_gtype
from gati.gtype._plan import MAX_DEPTH, make_plan

try:
    from gati import _native
except ImportError:  # pragma: no cover - a pure-only install
    _native = None  # type: ignore[assignment]

BACKENDS = [pytest.param(pure_gtype.Validator, id="pure")]
if _native is not None:
    BACKENDS.append(pytest.param(_native.Validator, id="native"))


def compiled(backend: Any, schema: Any, **options: Any) -> Any:
    return backend(make_plan(schema.core(), **options))


def failures(v: Any, value: Any, *, json: bool = False) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        v.validate_json(value) if json else v.validate(value)
    return [(e["path"], e["code"]) for e in info.value.errors()]


# ---- unique_items ----------------------------------------------------------------------


class Counted:
    """A hashable value that counts how often it is compared."""

    compared = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        return hash(self.n)

    def __eq__(self, other: object) -> bool:
        Counted.compared += 1
        return isinstance(other, Counted) and other.n == self.n


@pytest.mark.parametrize("backend", BACKENDS)
def test_unique_items_buckets_by_hash_instead_of_comparing_every_pair(backend: Any) -> None:
    v = compiled(backend, gt.array(gt.any(), unique_items=True))
    items = [Counted(i) for i in range(3000)]
    Counted.compared = 0
    assert v.is_valid(items)
    assert Counted.compared < len(items)  # every pair would be 4.5 million comparisons


@pytest.mark.parametrize("backend", BACKENDS)
def test_unique_items_over_twenty_thousand_json_integers(backend: Any) -> None:
    v = compiled(backend, gt.array(gt.integer(), unique_items=True))
    body = ("[" + ",".join(str(i) for i in range(20_000)) + ",7]").encode()
    assert failures(v, body, json=True) == [((), "array_unique_items")]


NAN = float("nan")
UNIQUE_CASES: list[list[Any]] = [
    [{True: 1}, {1: 1}],
    [{1: "a"}, {1.0: "a"}],
    [True, 1],
    [1, 1.0],
    [NAN, NAN],
    [[NAN], [NAN]],
    [float("nan"), float("nan")],
    [{1, 2}, {2, 1}],
    [[1, {2}], [1.0, {2}]],
    [[1, {2}], [True, {2}]],
    [(1, 2), [1, 2]],
    [{"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]}],
    [{"a": 1}, {"a": 1, "b": 2}],
    [frozenset({1}), {1}],
    [[[[[[1]]]]], [[[[[1.0]]]]]],
]


@pytest.mark.skipif(_native is None, reason="needs the native extension")
@pytest.mark.parametrize("items", UNIQUE_CASES, ids=repr)
def test_unique_items_agree_across_backends(items: list[Any]) -> None:
    schema = gt.array(gt.any(), unique_items=True)
    pure, native = compiled(pure_gtype.Validator, schema), compiled(_native.Validator, schema)
    assert pure.is_valid(items) == native.is_valid(items)
    if not pure.is_valid(items):
        assert failures(pure, items) == failures(native, items) == [((), "array_unique_items")]


def test_nan_is_equal_to_nothing_not_even_itself() -> None:
    for backend in [p.values[0] for p in BACKENDS]:
        v = compiled(backend, gt.array(gt.any(), unique_items=True))
        assert v.is_valid([NAN, NAN]) and v.is_valid([[NAN], [NAN]])
        assert not v.is_valid([1, True, 1.0])


# ---- huge integers ---------------------------------------------------------------------

NINES = b"9" * 1_040_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_million_digit_integer_is_json_invalid(backend: Any) -> None:
    v = compiled(backend, gt.object({"qty": gt.integer(max=1000)}))
    with pytest.raises(ValidationError) as info:
        v.validate_json(b'{"qty": ' + NINES + b"}")
    [err] = info.value.errors()
    assert err["code"] == "json_invalid" and "4300 digits" in err["message"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_integers_up_to_4300_digits_are_read_exactly(backend: Any) -> None:
    v = compiled(backend, gt.record(gt.integer()))
    longest = "-" + "7" * 4300
    assert v.validate_json(f'{{"a": {longest}}}'.encode()) == {"a": int(longest)}
    assert failures(v, b'{"a": 1' + b"0" * 4300 + b"}", json=True) == [((), "json_invalid")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_digit_bound_does_not_follow_the_interpreter_setting(backend: Any) -> None:
    v = compiled(backend, gt.any())
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)
        assert failures(v, b"[" + b"1" * 5000 + b"]", json=True) == [((), "json_invalid")]
        sys.set_int_max_str_digits(640)
        assert v.validate_json(b"1" * 4000) == (10**4000 - 1) // 9
    finally:
        sys.set_int_max_str_digits(old)


# ---- patterns --------------------------------------------------------------------------

EVIL = "a" * 5000 + "!"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"^([a-z0-9]+-?)+$", EVIL),
        (r"^(\w+)+$", EVIL),
        (r"^(a|aa)+$", EVIL),
        (r"(x+x+)+y", "x" * 5000),
    ],
)
def test_nested_quantifiers_run_in_linear_time(backend: Any, pattern: str, text: str) -> None:
    v = compiled(backend, gt.string(pattern=pattern))
    assert failures(v, text) == [((), "string_pattern")]


@pytest.mark.once  # both backends, parametrized
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_string_of_the_wrong_length_never_reaches_the_pattern(backend: Any) -> None:
    v = compiled(backend, gt.string(max_length=64, pattern=r"^(?=a)(a|aa)+\1$", pattern_timeout=5))
    assert failures(v, "a" * 100_000 + "!") == [((), "string_max_length")]
    assert failures(v, "a" * 60 + "!") == [((), "string_pattern_timeout")]


def test_look_around_and_back_references_need_an_explicit_timeout() -> None:
    for pattern in (r"(?=a)b", r"(?<!x)y", r"(a)\1"):
        with pytest.raises(SchemaError, match="pattern_timeout"):
            make_plan(gt.string(pattern=pattern).core())
        plan = make_plan(gt.string(pattern=pattern, pattern_timeout=0.5).core())
        assert plan["root"]["pattern_engine"] == "backtracking"
    with pytest.raises(SchemaError, match="pattern_timeout"):
        make_plan(gt.string(pattern_timeout=1).core())


@pytest.mark.parametrize(
    ("pattern", "engine"),
    [(r"^[0-9]{5}$", "rust"), (r"^(\w+)+$", "re2"), (r"(?i)abc", "re2"), (r"\bx\s", "re2")],
)
def test_patterns_outside_the_native_subset_still_run_on_a_linear_engine(
    pattern: str, engine: str
) -> None:
    assert make_plan(gt.string(pattern=pattern).core())["root"]["pattern_engine"] == engine


@pytest.mark.skipif(_native is None, reason="needs the native extension")
@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (r"^\w+$", ["héllo", "a_1", "a-b", "٣", "a\n", ""]),
        (r"\d{2}", ["١٢", "12", "1x"]),
        (r"^\s*$", ["\u2003", " \t", "x"]),
        (r"(?i)^straße$", ["STRASSE", "Straße", "STRAßE"]),
        (r"a$", ["a", "a\n", "a\n\n", "ba"]),
        (r"^[0-9]+$", ["123", "12\n", "１２"]),
        (r"(?=a)(a|aa)+\1$", ["aaaa", "ab", "a"]),
    ],
)
def test_both_backends_give_the_same_answer_on_every_engine(pattern: str, texts: list[str]) -> None:
    schema = gt.string(pattern=pattern, pattern_timeout=2 if "(?=" in pattern else None)
    pure, native = compiled(pure_gtype.Validator, schema), compiled(_native.Validator, schema)
    for text in [*texts, "\ud800a"]:
        assert pure.is_valid(text) == native.is_valid(text), (pattern, text)


# ---- deep JSON and deep data -----------------------------------------------------------


def on_small_stack(fn: Callable[[], Any], size: int = 256 * 1024) -> Any:
    """``fn()`` on a thread with a ``size``-byte stack: its result, or its exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:  # handed back to the test
            outcome.append(exc)

    old = threading.stack_size(size)
    try:
        thread = threading.Thread(target=run)
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    return outcome[0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("max_depth", [256, MAX_DEPTH])
def test_deep_json_is_depth_exceeded_on_a_small_stack(backend: Any, max_depth: int) -> None:
    v = compiled(backend, gt.any(), max_depth=max_depth)
    for n in (3000, 100_000):
        result = on_small_stack(lambda n=n: v.validate_json(b"[" * n + b"]" * n))
        assert isinstance(result, ValidationError)
        assert [e["code"] for e in result.errors()] == ["depth_exceeded"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_json_error_before_the_deep_part_comes_first(backend: Any) -> None:
    v = compiled(backend, gt.any())
    assert failures(v, b"[1,,[" + b"[" * 5000, json=True) == [((), "json_invalid")]
    assert failures(v, b"[1, " + b"[" * 5000 + b"x", json=True) == [((), "depth_exceeded")]


def test_max_depth_is_bounded_by_what_both_backends_honour() -> None:
    with pytest.raises(SchemaError, match="max_depth must be at most"):
        make_plan(gt.any().core(), max_depth=10**6)
    make_plan(gt.any().core(), max_depth=MAX_DEPTH)


def tree(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tree_as_deep_as_max_depth_validates_without_raising_the_recursion_limit(
    backend: Any,
) -> None:
    limit = sys.getrecursionlimit()
    v = backend(_tree_plan())
    assert v.is_valid(tree(MAX_DEPTH - 1))
    assert v.validate(tree(MAX_DEPTH - 1)) is not None
    assert [e["code"] for e in _errors(v, tree(MAX_DEPTH + 5))] == ["depth_exceeded"]
    assert sys.getrecursionlimit() == limit


def _tree_plan() -> dict[str, Any]:
    from tests.gtype.plans import node, plan

    definitions = {"T": node("array", items=node("ref", name="T"))}
    return plan(node("ref", name="T"), definitions=definitions, max_depth=MAX_DEPTH)


def _errors(v: Any, value: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        v.validate(value)
    return info.value.errors()


def test_the_pure_validator_never_touches_the_recursion_limit() -> None:
    script = (
        "import sys; before = sys.getrecursionlimit()\n"
        "from gati._pure import gtype\n"
        "from tests.gtype.test_hostile_input import _tree_plan, tree\n"
        "v = gtype.Validator(_tree_plan()); assert v.is_valid(tree(900))\n"
        "assert sys.getrecursionlimit() == before, sys.getrecursionlimit()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
