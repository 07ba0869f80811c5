"""The error codes are one table: the native ``Code`` enum (declared once by a macro), the
Python list the planner writes messages for, and the table in docs/gtype.md §6 agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gati.gtype._messages import CODES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gtype.md"


def documented_codes() -> list[str]:
    section = DOCS.read_text(encoding="utf-8").split("## 6. Error dicts and codes")[1]
    table = section.split("\n## ")[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return [code for row in rows for code in re.findall(r"`(\w+)`", row)]


def test_the_docs_table_lists_every_code_in_order() -> None:
    assert documented_codes() == list(CODES)


def test_the_native_codes_are_the_python_list() -> None:
    native = pytest.importorskip("gati._native")
    assert list(native.ERROR_CODES) == list(CODES)


def test_codes_are_distinct_identifiers() -> None:
    assert len(set(CODES)) == len(CODES)
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code) for code in CODES)
