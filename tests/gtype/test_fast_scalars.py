"""Property 13 (native and pure backends agree) on the scalar checks ``validate_json`` runs on
raw tokens: format scanners, patterns on their DFA, literal texts and discriminator tags, fed
near misses of valid values so every branch of the scanners is reached."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import ValidationError, gt
from gati.gtype._plan import make_plan

native = pytest.importorskip("gati._native")
from gati._pure import gtype as pure  # noqa: E402

SEEDS = [
    ("uuid", "123e4567-e89b-12d3-a456-426614174000"),
    ("email", "ada.lovelace@example.com"),
    # labels and a local part at their length limits (63 and 64)
    ("email", "x" * 63 + "@" + "b" * 62 + "c.example-host.io"),
    ("hostname", "a" * 62 + "b.example-host.org"),
]
NEAR = '-.@_+0aAfFgG9 é\n"\\'
PATTERNS = ["^[0-9]{5}$", "[0-9]{2}-?[0-9]", "^(ab|c)+$", "\\d{3}"]


@st.composite
def near_miss(draw: st.DrawFn, seed: str) -> str:
    """``seed`` with a few characters replaced, inserted or deleted."""
    text = list(seed)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        char = draw(st.sampled_from(NEAR) | st.characters())
        if op == "insert" or at == len(text):
            text.insert(at, char)
        elif op == "replace":
            text[at] = char
        else:
            del text[at]
    return "".join(text)


def outcome(validator: Any, call: str, value: Any) -> Any:
    try:
        return ("ok", getattr(validator, call)(value))
    except ValidationError as exc:
        return ("errors", [(e["path"], e["code"]) for e in exc.errors()])


def both(schema: Any) -> tuple[Any, Any]:
    plan = make_plan(schema.core())
    return native.Validator(plan), pure.Validator(plan)


def agree(schema: Any, value: Any) -> None:
    nat, pur = both(schema)
    for call, arg in (("validate", value), ("validate_json", json.dumps(value))):
        assert outcome(nat, call, arg) == outcome(pur, call, arg), (call, arg)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEEDS).flatmap(lambda s: st.tuples(st.just(s[0]), near_miss(s[1]))))
def test_formats_agree_on_near_misses(case: tuple[str, str]) -> None:
    """Property 13: the uuid, email and hostname scanners give the same answer on both
    backends."""
    fmt, text = case
    agree(gt.object({"s": gt.string(format=fmt)}), {"s": text})


@settings(max_examples=200, deadline=None)
@given(near_miss("12345"), st.sampled_from(PATTERNS))
def test_patterns_agree(text: str, pattern: str) -> None:
    """Property 13: a pattern of the Rust subset (searched with a DFA natively) matches as in
    the pure twin, a final ``$`` before one newline included."""
    agree(gt.string(pattern=pattern), text)
    agree(gt.string(pattern=pattern), text + "\n")


@settings(max_examples=200, deadline=None)
@given(near_miss("admin"))
def test_literal_texts_agree(text: str) -> None:
    """Property 13: a JSON string matched against literal candidates as Rust text."""
    agree(gt.object({"role": gt.literal("admin", "user", "guest", 1)}), {"role": text})


def _tree() -> Any:
    return gt.union(
        gt.object({"kind": gt.literal("text"), "text": gt.string()}),
        gt.object({"kind": gt.literal("list"), "items": gt.array(gt.ref("Block"))}),
        discriminator="kind",
        name="Block",
    )


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["text", "list", "tex", "texts", ""]) | st.text(max_size=5),
    st.booleans(),
)
def test_tags_agree(tag: str, tag_first: bool) -> None:
    """Property 13: a discriminator tag read from JSON, first in its object or not."""
    body: dict[str, Any] = {"text": "x", "items": []}
    value = {"kind": tag, **body} if tag_first else {**body, "kind": tag}
    agree(_tree(), {"kind": "list", "items": [value]})


def test_an_escaped_tag_key_still_selects_the_member() -> None:
    """The tag's raw bytes are only a shortcut: an escaped key names the same property."""
    nat, pur = both(_tree())
    doc = '{"\\u006bind": "text", "text": "x"}'
    assert outcome(nat, "validate_json", doc) == outcome(pur, "validate_json", doc)
    assert nat.validate_json(doc) == {"kind": "text", "text": "x"}
