"""Differential: the native header scan and request ids against their pure twins."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._pure import ids as pure_ids
from gati._pure.ingress import scan_headers as pure_scan
from gati.context import ids

native = pytest.importorskip("gati._native")

ID_SHAPE = re.compile(r"[0-9a-f]{12}-[0-9a-f]+\Z")
VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
NAMES = st.sampled_from(
    [
        b"content-type",
        b"content-length",
        b"x-request-id",
        b"user-agent",
        b"gati-version",
        b"x-api-version",
        b"gati-flags",
        b"traceparent",
        b"forwarded",
        b"x-forwarded-for",
        b"host",
        b"X-Request-ID",
        b"accept",
    ]
)
VALUES = st.one_of(
    st.sampled_from([b"", b"0", b"007", b"12", b"-1", b"1_000", b" 5", b"9" * 30, b"abc-1.x_Y"]),
    st.sampled_from(
        [b"9" * 4301, b"0" * 4400 + b"5", b"9223372036854775807", b"9223372036854775808"]
    ),
    st.binary(max_size=140),
    st.from_regex(rb"[A-Za-z0-9._-]{1,130}", fullmatch=True),
    st.from_regex(rb"[0-9]{1,25}", fullmatch=True),
)
HEADERS = st.lists(st.tuples(NAMES, VALUES), max_size=8)


def _without_new_id(scan: tuple[Any, ...], headers: list[tuple[bytes, bytes]]) -> tuple[Any, ...]:
    """The scan with a generated id replaced by its shape (the two counters differ)."""
    rid, *rest = scan
    if not any(n == b"x-request-id" and VALID_ID.fullmatch(v) for n, v in headers):
        assert ID_SHAPE.match(rid), rid
        rid = "<new>"
    return (rid, *rest)


@settings(max_examples=200, deadline=None)
@given(HEADERS)
def test_scan_headers_native_equals_pure(headers: list[tuple[bytes, bytes]]) -> None:
    got = native.scan_headers(headers)
    want = pure_scan(headers)
    assert _without_new_id(got, headers) == _without_new_id(want, headers)
    assert type(got[3]) is type(want[3])


def test_scan_headers_reads_the_known_headers() -> None:
    headers = [
        (b"host", b"x"),
        (b"user-agent", b"caf\xe9/1"),
        (b"content-type", b"application/json"),
        (b"content-length", b"12"),
        (b"x-request-id", b"req-1"),
        (b"traceparent", b"tp"),
    ]
    for scan in (native.scan_headers, pure_scan):
        rid, ua, ctype, length, rare = scan(headers)
        assert (rid, ua, ctype, length) == ("req-1", "café/1", b"application/json", 12)
        assert rare is not None and rare[7] == b"tp" and rare.count(None) == 9
        assert scan([[b"x-request-id", b"bad id"]])[0] != "bad id"
        assert scan([(b"content-length", b"9" * 30)])[3] == 2**63 - 1
        assert scan(())[1:] == (None, None, None, None)


def test_scan_headers_refuses_what_is_not_a_pair() -> None:
    for scan in (native.scan_headers, pure_scan):
        with pytest.raises(ValueError):
            scan([(b"host", b"x", b"y")])


def test_a_content_length_of_any_length_saturates_on_both() -> None:
    """Item 16 of the hardening issue: 4,301 digits once made ``int()`` raise out of the scan."""
    for scan in (native.scan_headers, pure_scan):
        assert scan([(b"content-length", b"9" * 4301)])[3] == 2**63 - 1
        assert scan([(b"content-length", b"0" * 4400 + b"5")])[3] == 5
        assert scan([(b"content-length", "５".encode())])[3] == -1


def test_request_ids_have_one_shape_and_are_unique() -> None:
    made = [native.new_request_id() for _ in range(500)]
    made += [pure_ids.new_request_id() for _ in range(500)]
    made += [ids.new_request_id() for _ in range(500)]
    assert all(ID_SHAPE.match(i) for i in made)
    assert len(set(made)) == len(made)
