"""Differential: the native header scan, scope reading and request ids against their pure twins."""

from __future__ import annotations

import copy
import gc
import re
import time
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._pure import ids as pure_ids
from gati._pure.ingress import Ingress as PureIngress
from gati._pure.ingress import read_ingress as pure_read
from gati._pure.ingress import read_ingress_head as pure_read_head
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


@pytest.mark.parametrize("name", [b"user-agent", b"content-length", b"x-request-id"])
def test_a_read_header_value_that_is_not_bytes_is_a_type_error_on_both(name: bytes) -> None:
    for scan in (native.scan_headers, pure_scan):
        with pytest.raises(TypeError, match="header values must be bytes"):
            scan([(name, "text")])


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


FIELDS = (
    "request_id",
    "version_requested",
    "flags",
    "trace_id",
    "traceparent",
    "client_ip",
    "user_agent",
    "content_type",
    "content_length",
    "rare",
)
HEAD_FIELDS = ("request_id", "content_length", "flags", "trace_id", "rare")
CLIENTS = st.one_of(
    st.none(),
    st.just(()),
    st.just([]),
    st.tuples(st.sampled_from(["127.0.0.1", "10.0.0.7", "::1", "host"]), st.integers(0, 65535)),
    st.lists(st.sampled_from(["10.1.2.3", "x"]), min_size=1, max_size=2),
)
QUERIES = st.one_of(
    st.sampled_from(
        [b"", b"version=2025-01-01", b"a=1&version=x", b"versio=1", b"xversion=", None]
    ),
    st.binary(max_size=30),
)


@st.composite
def scopes(draw: st.DrawFn) -> dict[str, Any]:
    """ASGI scopes: generated headers, a client (or none) and a query string (or none)."""
    scope: dict[str, Any] = {"type": "http", "headers": draw(HEADERS)}
    client = draw(CLIENTS)
    if client is not None or draw(st.booleans()):
        scope["client"] = client
    query = draw(QUERIES)
    if query is not None:
        scope["query_string"] = query
    return scope


def _fields(info: Any, scope: dict[str, Any]) -> tuple[Any, ...]:
    values = [getattr(info, name) for name in FIELDS]
    values[0] = _without_new_id((values[0],), scope["headers"])[0]
    return tuple(values)


@settings(max_examples=300, deadline=None)
@given(scopes())
def test_read_ingress_native_equals_pure(scope: dict[str, Any]) -> None:
    """Every field of the record, and the rarer-header list, agree on generated scopes."""
    got, want = native.read_ingress(scope), pure_read(scope)
    assert _fields(got, scope) == _fields(want, scope)
    assert type(got.content_length) is type(want.content_length)


@settings(max_examples=100, deadline=None)
@given(scopes())
def test_read_ingress_head_carries_the_record_on_both(scope: dict[str, Any]) -> None:
    """``read_ingress_head``: the record, then its id, length, flags, trace id and rare list,
    the id's ASCII bytes and the request's start (wall-clock, as ``time.time()``)."""
    for read in (native.read_ingress_head, pure_read_head):
        before = time.time()
        info, *head, id_bytes, started_at = read(scope)
        after = time.time()
        assert head == [getattr(info, f) for f in HEAD_FIELDS]
        assert id_bytes == info.request_id.encode("ascii") and type(id_bytes) is bytes
        assert type(started_at) is float and before - 0.001 <= started_at <= after + 0.001
    got, want = native.read_ingress_head(scope)[0], pure_read_head(scope)[0]
    assert _fields(got, scope) == _fields(want, scope)


def test_read_ingress_asks_for_the_rare_pass_on_a_version_query() -> None:
    for read in (native.read_ingress, pure_read):
        plain = read({"headers": [], "query_string": b"a=1"})
        assert plain.rare is None and plain.flags == frozenset() and plain.client_ip is None
        asked = read({"headers": [], "query_string": b"version=2025-01-01"})
        assert asked.rare == [None] * 10
        flagged = read({"headers": [(b"gati-flags", b"a,b")], "client": ("1.2.3.4", 5)})
        assert flagged.rare is not None and flagged.rare[6] == b"a,b"
        assert flagged.client_ip == "1.2.3.4"


def test_read_ingress_refuses_a_scope_without_headers_on_both() -> None:
    for read in (native.read_ingress, pure_read):
        with pytest.raises(KeyError):
            read({"type": "http"})


def test_a_blank_ingress_is_the_same_on_both() -> None:
    blank_native, blank_pure = native.Ingress(), PureIngress()
    assert [getattr(blank_native, f) for f in FIELDS] == [getattr(blank_pure, f) for f in FIELDS]
    blank_native.version_requested = "2025-01-01"
    assert blank_native.version_requested == "2025-01-01"


def test_a_copied_ingress_is_independent_on_both() -> None:
    """``copy.copy(info)`` (a Timescape upgrade changes the copy's content type)."""
    scope = {"headers": [(b"content-type", b"text/plain"), (b"x-request-id", b"r-1")]}
    for read in (native.read_ingress, pure_read):
        info = read(scope)
        other = copy.copy(info)
        other.content_type = b"application/json"
        assert info.content_type == b"text/plain"
        assert (other.request_id, other.content_type) == ("r-1", b"application/json")


def test_the_native_ingress_takes_part_in_garbage_collection() -> None:
    """A cycle through the record (a field holding an object that holds the record) is freed."""

    class Holder:
        info: Any

    info = native.Ingress()
    holder = Holder()
    holder.info = info
    info.content_type = holder
    ref = weakref.ref(holder)
    del info, holder
    gc.collect()
    assert ref() is None


def test_the_user_agent_reads_the_same_however_it_was_kept_on_both() -> None:
    """The native record keeps the raw ``User-Agent`` until it is first read (decoded as
    latin-1); a set value and a copy made before the first read behave as in the pure
    twin."""
    scope = {"headers": [(b"user-agent", b"caf\xe9/1")]}
    for read in (native.read_ingress, pure_read):
        info = read(scope)
        early = copy.copy(info)
        assert info.user_agent == "café/1" and info.user_agent == "café/1"
        assert early.user_agent == "café/1"
        early.user_agent = "other"
        assert (early.user_agent, info.user_agent) == ("other", "café/1")
        unread = read(scope)
        unread.user_agent = None
        assert unread.user_agent is None
