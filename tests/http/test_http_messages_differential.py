"""Differential: the native ASGI response messages against their pure twin."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._pure.messages import response_messages as pure_messages

native = pytest.importorskip("gati._native")

NAMES = st.sampled_from([b"content-type", b"set-cookie", b"x-a", b"Content-Type", b"location"])
EXTRA = st.lists(st.tuples(NAMES, st.binary(max_size=12)), max_size=4)
STATUSES = st.sampled_from([100, 101, 199, 200, 201, 204, 299, 304, 400, 404, 500, 599])
MEDIA = st.one_of(
    st.none(),
    st.sampled_from([b"application/json", b"text/plain; charset=utf-8", b"application/x"]),
)
BODIES = st.one_of(st.binary(max_size=40), st.binary(min_size=4090, max_size=4100))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["GET", "HEAD", "POST"]),
    STATUSES,
    BODIES,
    MEDIA,
    EXTRA,
    st.from_regex(rb"[0-9a-f]{12}-[0-9a-f]{1,8}", fullmatch=True),
)
def test_response_messages_native_equals_pure(
    method: str,
    status: int,
    body: bytes,
    media: bytes | None,
    extra: list[tuple[bytes, bytes]],
    rid: bytes,
) -> None:
    got = native.response_messages(method, status, body, media, list(extra), rid)
    want = pure_messages(method, status, body, media, list(extra), rid)
    assert got == want


def test_the_messages_say_what_the_response_is() -> None:
    for build in (native.response_messages, pure_messages):
        start, body = build("GET", 200, b'{"a":1}', b"application/json", [], b"r-1")
        assert start == {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-length", b"7"),
                (b"x-request-id", b"r-1"),
                (b"content-type", b"application/json"),
            ],
        }
        assert body == {"type": "http.response.body", "body": b'{"a":1}'}
        start, body = build("HEAD", 204, b"x", b"text/plain", [(b"x-a", b"1")], b"r-2")
        assert start["headers"] == [(b"x-request-id", b"r-2"), (b"x-a", b"1")]
        assert body["body"] == b""
        start, _ = build("GET", 200, b"x", b"text/plain", [(b"content-type", b"a/b")], b"r")
        assert (b"content-type", b"text/plain") not in start["headers"]
        assert start["headers"][-1] == (b"content-type", b"a/b")


def test_a_header_that_is_not_a_pair_is_a_value_error_on_both() -> None:
    bad: list[Any] = [(b"x-a", b"1", b"2")]
    for build in (native.response_messages, pure_messages):
        with pytest.raises(ValueError):
            build("GET", 200, b"", None, bad, b"r")
