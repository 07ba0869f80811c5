"""Property 13 for the token reads of ``validate_json``'s one native pass (docs/gtype.md §8):
numbers worked out from their digits as they are read, and UTF-8 checked only in the string
tokens the pass reads (the exact path checks the whole document first). Native and pure must
agree on every document, and what a valid one reads to must be exactly what ``json.loads``
reads.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gati import gt
from tests.gtype.test_differential import assert_same_json, pair

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

NUMBERS = gt.object({"n": gt.number(), "many": gt.array(gt.number())}).core()
TEXTS = gt.object(
    {"name": gt.string(max_length=12), "tags": gt.array(gt.string(min_length=1))}
).core()


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    """A JSON number as clients write it: a sign, digits, maybe a fraction and an exponent."""
    sign = draw(st.sampled_from(["", "-"]))
    whole = draw(st.sampled_from(["0", *(str(d) for d in range(1, 10))]))
    whole += draw(st.text(alphabet="0123456789", max_size=20)) if whole != "0" else ""
    frac = draw(st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=20)))
    exponent = draw(st.one_of(st.just(""), st.integers(-300, 300).map(lambda e: f"e{e}")))
    text = sign + whole + ("." + frac if frac else "") + exponent
    # Beyond a double's range JSON readers differ (json.loads says inf; gati refuses it).
    assume(math.isfinite(float(text)))
    return text


def same_numbers(got: Any, expected: Any) -> bool:
    """Equal with the same types, and floats equal to the last bit (the sign of zero too)."""
    if isinstance(expected, list):
        return len(got) == len(expected) and all(map(same_numbers, got, expected))
    return type(got) is type(expected) and repr(got) == repr(expected)


@SETTINGS
@given(number_texts(), st.lists(number_texts(), max_size=4))
def test_property_13_numbers_read_from_their_digits(text: str, more: list[str]) -> None:
    """Property 13: a number reads to the very int or float ``json.loads`` reads."""
    native, pure = pair(NUMBERS)
    doc = f'{{"n": {text}, "many": [{", ".join(more)}]}}'.encode()
    expected = json.loads(doc)
    got = native.validate_json(doc)
    assert same_numbers(got["n"], expected["n"]), (text, got["n"], expected["n"])
    assert same_numbers(got["many"], expected["many"])
    assert_same_json(native, pure, doc)


TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=16)


@SETTINGS
@given(TEXT, st.lists(TEXT, max_size=3), st.integers(0, 10_000), st.integers(0x80, 0xFF))
def test_property_13_utf8_checked_where_strings_are_read(
    name: str, tags: list[str], at: int, byte: int
) -> None:
    """Property 13: text that is not ASCII reads as ``json.loads`` reads it; a byte that
    breaks UTF-8, inside a string or anywhere else, gives the same errors on both backends."""
    native, pure = pair(TEXTS)
    doc = json.dumps({"name": name, "tags": tags}, ensure_ascii=False).encode()
    assert_same_json(native, pure, doc)
    if len(name) <= 12 and all(tags):
        assert native.validate_json(doc) == json.loads(doc)
    cut = at % (len(doc) + 1)
    assert_same_json(native, pure, doc[:cut] + bytes([byte]) + doc[cut:])
