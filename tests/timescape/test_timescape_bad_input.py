"""Bad version preferences: malformed, huge, far dates, unknown tags, and floods of distinct
values: always a clear 400 (never a 500), with memory flat."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from tests.timescape.helpers import request, versioned_app


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ("2025-13-01", 400),
        ("2025-02-30", 400),
        ("20250601", 400),
        ("2025-06-01T00:00:00", 400),
        ("0001-01-01", 400),
        ("1000-01-01", 400),
        ("9999-12-31", 200),
        ("99999-01-01", 400),
        ("nightly", 400),
        ("Stable", 400),
        ("' OR 1=1 --", 400),
        ("x" * 10_000, 400),
        ("2025-06-01" * 1000, 400),
    ],
)
def test_bad_preferences_are_clear_400s(sent: str, status: int) -> None:
    app = versioned_app(["2025-01-01", "2025-06-01"])
    for headers, path in (
        ({"gati-version": sent}, "/things/1"),
        ({"x-api-version": sent}, "/things/1"),
    ):
        r = request(app, path=path, headers=headers)
        assert r.status_code == status, r.text
        if status == 400:
            body = r.json()
            assert body["versions"] == ["2025-01-01", "2025-06-01"]
            assert len(body["detail"]) < 200  # a huge value is never echoed whole
    r = request(app, path="/things/1?version=" + sent.replace(" ", "+").replace("'", "%27"))
    assert r.status_code == status


def test_non_latin_bytes_in_the_header_are_a_400() -> None:
    app = versioned_app(["2025-01-01"])
    r = request(app, headers={"gati-version": b"2025-06-01\xff\xfe"})
    assert r.status_code == 400


@pytest.mark.once  # no twin on this path
def test_100000_distinct_preferences_keep_memory_flat() -> None:
    app = versioned_app(["2025-01-01", "2025-06-01"])
    ts = app.timescape
    group = ts._routes[("GET", "/things/{id:int}")]

    def flood(start: int) -> None:
        for i in range(start, start + 50_000):
            for value in (f"tag-{i}", f"2025-01-{i % 28 + 1:02d}x{i}", f"{2025 + i % 7000}-03-01"):
                try:
                    group.select(value)
                except Exception as exc:
                    assert getattr(exc, "status", None) == 400, exc

    flood(0)  # warm: every code path has run once
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    flood(50_000)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 64 * 1024, after - before
