"""format_path and the ValidationError text built with it."""

from __future__ import annotations

import pytest

from gati import ValidationError, format_path, gt


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "(root)"),
        (("a",), "a"),
        (("address", "zip"), "address.zip"),
        (("items", 0, "name"), "items[0].name"),
        ((0,), "[0]"),
        ((0, 1, "x"), "[0][1].x"),
        (("a b", "é"), "a b.é"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_validation_error_text() -> None:
    v = gt.compile(gt.object({"items": gt.array(gt.object({"name": gt.string()}))}))
    with pytest.raises(ValidationError) as info:
        v.validate({"items": [{"name": 1}], 5: 0})
    assert str(info.value) == (
        "2 validation errors\n"
        "  (root): Object keys should be strings [key_type]\n"
        "  items[0].name: Input should be a valid string [string_type]"
    )
