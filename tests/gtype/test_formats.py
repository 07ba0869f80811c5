"""The format scanners (docs/gtype.md §7), through the public API."""

from __future__ import annotations

import pytest

from gati import gt
from tests.gtype.helpers import accepts, codes
from tests.gtype.strategies import FORMAT_EXAMPLES

GOOD = [(fmt, s) for fmt, (good, _) in FORMAT_EXAMPLES.items() for s in good]
BAD = [(fmt, s) for fmt, (_, bad) in FORMAT_EXAMPLES.items() for s in bad]


@pytest.mark.parametrize(("fmt", "value"), GOOD)
def test_accepts(fmt: str, value: str) -> None:
    accepts(gt.string(format=fmt), value)


@pytest.mark.parametrize(("fmt", "value"), BAD)
def test_rejects(fmt: str, value: str) -> None:
    assert codes(gt.string(format=fmt), value) == [((), "string_format")]


@pytest.mark.parametrize("fmt", sorted(FORMAT_EXAMPLES))
def test_lone_surrogates_fail_every_format(fmt: str) -> None:
    good = FORMAT_EXAMPLES[fmt][0][0]
    assert codes(gt.string(format=fmt), good + "\ud800") == [((), "string_format")]


def test_format_error_dict() -> None:
    from tests.gtype.helpers import errors

    assert errors(gt.string(format="date"), "2023-02-29") == [
        {
            "path": (),
            "code": "string_format",
            "expected": "date",
            "actual": "2023-02-29",
            "message": "Input should be a valid date",
        }
    ]
