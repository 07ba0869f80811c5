"""Differential: the native ASGI response messages against their pure twin, both reading the
same ``Response`` (its status, headers, and body: raw bytes or a JSON value)."""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati._pure.messages import response_messages as pure_messages
from gati.http.encoding import ResponseNotEncodable
from gati.http.response import Response

native = pytest.importorskip("gati._native")

NAMES = st.sampled_from(
    [b"content-type", b"set-cookie", b"x-a", b"Content-Type", b"location", b"content-length"]
)
VALUES_OF_HEADERS = st.one_of(st.binary(max_size=12), st.sampled_from([b"0", b"2", b" 7\t"]))
EXTRA = st.lists(st.tuples(NAMES, VALUES_OF_HEADERS), max_size=4)
STATUSES = st.sampled_from([100, 101, 199, 200, 201, 204, 299, 304, 400, 404, 500, 599])
MEDIA = st.one_of(
    st.none(),
    st.sampled_from([b"application/json", b"text/plain; charset=utf-8", b"application/x"]),
)
BODIES = st.one_of(st.binary(max_size=40), st.binary(min_size=4090, max_size=4100))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.decimals(allow_nan=False),
    st.binary(max_size=8),
)
# JSON values, with what orjson refuses (Decimal, sets, bytes, huge ints) and cannot encode
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=12,
)


def response(status: int, extra: list[tuple[bytes, bytes]], body: Any, media: Any) -> Response:
    res = Response()
    res.status_code = status
    res.headers = list(extra)
    if isinstance(body, tuple):  # ("json", value)
        res.json(body[1])
    else:
        res.send(body, media) if media is not None else res.send(body)
        if media is None:
            res._media_type = None
    return res


def outcome(build: Any, method: str, res: Response, rid: bytes) -> Any:
    try:
        return build(method, res, rid)
    except ResponseNotEncodable as exc:
        return ("not encodable", str(exc))
    except ValueError as exc:  # a Content-Length that is not the body's
        return ("refused", str(exc))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["GET", "HEAD", "POST"]),
    STATUSES,
    st.one_of(BODIES, st.tuples(st.just("json"), VALUES)),
    MEDIA,
    EXTRA,
    st.from_regex(rb"[0-9a-f]{12}-[0-9a-f]{1,8}", fullmatch=True),
)
def test_response_messages_native_equals_pure(
    method: str,
    status: int,
    body: Any,
    media: bytes | None,
    extra: list[tuple[bytes, bytes]],
    rid: bytes,
) -> None:
    got = outcome(native.response_messages, method, response(status, extra, body, media), rid)
    want = outcome(pure_messages, method, response(status, extra, body, media), rid)
    assert got == want


def test_the_messages_say_what_the_response_is() -> None:
    for build in (native.response_messages, pure_messages):
        start, body = build("GET", Response().json({"a": 1}), b"r-1")
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
        res = Response().status(204).send(b"x", b"text/plain").add_header("x-a", "1")
        start, body = build("HEAD", res, b"r-2")
        assert start["headers"] == [(b"x-request-id", b"r-2"), (b"x-a", b"1")]
        assert body["body"] == b""
        res = Response().send(b"x", b"text/plain").header("content-type", "a/b")
        start, _ = build("GET", res, b"r")
        assert (b"content-type", b"text/plain") not in start["headers"]
        assert start["headers"][-1] == (b"content-type", b"a/b")


def test_values_beyond_plain_json_and_unencodable_ones_render_alike() -> None:
    for build in (native.response_messages, pure_messages):
        _, body = build("GET", Response().json({"d": decimal.Decimal("1.5")}), b"r")
        assert body["body"] == b'{"d":1.5}'
        with pytest.raises(ResponseNotEncodable, match=r"at \$\.w"):
            build("GET", Response().json({"w": object()}), b"r")


def test_a_header_that_is_not_a_pair_is_a_value_error_on_both() -> None:
    bad: list[Any] = [(b"x-a", b"1", b"2")]
    for build in (native.response_messages, pure_messages):
        res = Response()
        res.headers = bad
        with pytest.raises(ValueError):
            build("GET", res, b"r")


@pytest.mark.parametrize("status", ["201", None, 99, 100, 101, 199, 600, 10**30, -1, 200.0])
def test_a_status_set_out_of_range_or_not_an_int_is_a_value_error_on_both(status: Any) -> None:
    """``res.status_code`` set by hand is checked as ``res.status()`` checks it, on both
    backends, before anything reaches the server (a huge int overflowed only natively)."""
    for build in (native.response_messages, pure_messages):
        res = Response().json({"a": 1})
        res.status_code = status
        with pytest.raises(ValueError, match="invalid HTTP status"):
            build("GET", res, b"r")


def test_headers_that_are_not_a_list_are_a_type_error_on_both() -> None:
    for build in (native.response_messages, pure_messages):
        res = Response().json({"a": 1})
        res.headers = None  # type: ignore[assignment]
        with pytest.raises(TypeError, match=r"res\.headers"):
            build("GET", res, b"r")


def test_send_refuses_none_as_a_body() -> None:
    """A body of None would read as "no bytes: a JSON value"; send() says so at once."""
    with pytest.raises(TypeError, match="bytes"):
        Response().send(None)  # type: ignore[arg-type]


def test_json_then_send_then_json_keeps_the_last_body() -> None:
    for build in (native.response_messages, pure_messages):
        res = Response().json({"a": 1}).send(b"raw", b"text/plain")
        assert not res.has_json and res.payload is None
        assert build("GET", res, b"r")[1]["body"] == b"raw"
        res.json(None)
        assert res.has_json and res.payload is None
        assert build("GET", res, b"r")[1]["body"] == b"null"
