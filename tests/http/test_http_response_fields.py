"""What a handler sets on the response is refused where it is set when it cannot be sent: a
header value that would split the header (CR, LF, other control characters), a name that is
not a token, a status that is not an int; a ``Content-Length`` set on ``res`` is sent once and
only when it is the body's. Servers otherwise refuse such a field only as they write it:
uvicorn dropped the connection without an answer, or sent two conflicting lengths."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from gati import App, HTTPError
from gati.http.response import Response
from gati.testing import LiveServer, TestClient, live_server

HERE = Path(__file__).parent

SPLITTING = ["a\r\nSet-Cookie: s=1", "a\nb", "a\rb", "a\x00b", "a\x7fb", "a\x1bb"]
NOT_TOKENS = ["X Note", "X-Note:", "X-Note\r\n", "", "Ünicode", "a(b)"]


@pytest.mark.parametrize("value", SPLITTING)
def test_a_header_value_that_would_split_the_header_is_a_value_error(value: str) -> None:
    for write in (Response().header, Response().add_header):
        with pytest.raises(ValueError, match=r"X-Note.*control character"):
            write("X-Note", value)
    with pytest.raises(ValueError, match="control character"):
        HTTPError(401, "no", headers={"WWW-Authenticate": value})


@pytest.mark.parametrize("name", NOT_TOKENS)
def test_a_header_name_that_is_not_a_token_is_a_value_error(name: str) -> None:
    for write in (Response().header, Response().add_header):
        with pytest.raises(ValueError, match="header name"):
            write(name, "v")


def test_a_value_beyond_latin_1_is_a_value_error_that_says_so() -> None:
    with pytest.raises(ValueError, match="not Latin-1"):
        Response().header("X-Note", "€")


def test_tabs_spaces_and_latin_1_values_are_sent_as_given() -> None:
    res = Response().header("X-Note", "a\tb c ü").add_header("Link", "</a>; rel=next")
    assert res.headers == [(b"x-note", b"a\tb c \xfc"), (b"link", b"</a>; rel=next")]
    assert HTTPError(429, headers={"Retry-After": "3"}).headers == {"Retry-After": "3"}


def test_a_handler_setting_a_splitting_header_answers_a_500_problem(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()

    @app.get("/split")
    async def split(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.header("X-Note", "a\r\nSet-Cookie: session=forged")
        return {"ok": True}

    with caplog.at_level(logging.ERROR, logger="gati.http"):
        r = TestClient(app).get("/split")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "x-note" not in r.headers and "set-cookie" not in r.headers
    assert "X-Note" in caplog.text and "control character" in caplog.text


@pytest.mark.parametrize("status", ["201", 201.0, None, True, 99, 100, 101, 199, 600])
def test_a_status_that_is_not_an_int_in_range_is_refused_where_it_is_set(status: Any) -> None:
    """``201.0`` was taken and refused only while the messages were built, away from the
    handler's line; ``"201"`` was a ``TypeError`` about ``<=``; a 1xx status is never a
    response's (uvicorn's h11 dropped the connection, httptools sent an interim answer)."""
    with pytest.raises(ValueError, match=r"invalid HTTP status .*an int from 200 to 599"):
        Response().status(status)
    with pytest.raises(ValueError, match="HTTPError status must be an int, 4xx or 5xx"):
        HTTPError(status if status != 201.0 else 404.0)


def test_http_status_members_are_statuses() -> None:
    assert Response().status(HTTPStatus.CREATED).status_code == 201
    assert HTTPError(HTTPStatus.NOT_FOUND).status == 404


def lengths(start: dict[str, Any]) -> list[bytes]:
    return [value for name, value in start["headers"] if name == b"content-length"]


def test_a_content_length_that_is_the_bodys_is_sent_once() -> None:
    from gati.http.sender import response_messages

    for method in ("GET", "HEAD"):
        res = Response().header("Content-Length", "2").text("hi")
        start, body = response_messages(method, res, b"r")
        assert lengths(start) == [b"2"]
        assert body["body"] == (b"" if method == "HEAD" else b"hi")
        res = Response().json({"a": 1}).add_header("content-length", " 7 ")
        assert lengths(response_messages("GET", res, b"r")[0]) == [b"7"]


def test_a_content_length_that_is_not_the_bodys_is_a_value_error() -> None:
    from gati.http.sender import response_messages

    for declared in ("100", "1", "abc", ""):
        res = Response().header("Content-Length", declared).text("hi")
        with pytest.raises(ValueError, match=r"Content-Length .* but the body is 2 bytes"):
            response_messages("GET", res, b"r")


def test_a_handler_setting_a_wrong_content_length_answers_a_500_problem(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()

    @app.get("/n")
    async def n(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.header("Content-Length", req.query["n"]).text("hi")

    client = TestClient(app)
    r = client.get("/n", params={"n": "2"})
    assert (r.status_code, r.text, r.headers.get_list("content-length")) == (200, "hi", ["2"])
    with caplog.at_level(logging.ERROR, logger="gati.http"):
        r = client.get("/n", params={"n": "100"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers.get_list("content-length") == [str(len(r.content))]
    assert "but the body is 2 bytes" in caplog.text


# -- over a real server ------------------------------------------------------------------------


@pytest.fixture(params=["h11", "httptools"])
def server(request: Any) -> Iterator[LiveServer]:
    """uvicorn serving fields_app with each of its HTTP/1.1 implementations."""
    pytest.importorskip(request.param)
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "uvicorn", "fields_app:app", "--host", "127.0.0.1",
               "--port", "{port}", "--http", request.param, "--log-level", "critical"]  # fmt: skip
    with live_server(command, cwd=HERE, env=env, probe="/hello") as live:
        yield live


def exchange(live: LiveServer, path: str) -> bytes:
    """The raw bytes the server answers ``GET path`` with (``b""``: it closed without one)."""
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def head_lines(answer: bytes) -> list[bytes]:
    return answer.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")


@pytest.mark.e2e
def test_header_fields_over_a_real_server(server: LiveServer) -> None:
    for path in ("/split", "/split-problem"):
        answer = exchange(server, path)
        assert answer.startswith(b"HTTP/1.1 500 "), (path, answer)
        lines = head_lines(answer)
        assert b"content-type: application/problem+json" in lines
        assert any(line.startswith(b"x-request-id: ") for line in lines)
        assert not any(line.startswith((b"set-cookie", b"x-note")) for line in lines)
    answer = exchange(server, "/length")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert [line for line in head_lines(answer) if line.startswith(b"content-length")] == [
        b"content-length: 2"
    ]
    assert answer.endswith(b"\r\n\r\nhi")
    for path in ("/wrong-length", "/informational"):
        answer = exchange(server, path)
        assert answer.startswith(b"HTTP/1.1 500 "), (path, answer)
        assert b"content-type: application/problem+json" in head_lines(answer)


# -- bodies ------------------------------------------------------------------------------------


def test_send_takes_bytes_like_bodies_and_refuses_a_str_where_it_is_set() -> None:
    """A ``str`` body was refused natively only while the messages were built, and the pure
    twin handed it to the server (which crashed on it); a ``bytearray`` was sent by the pure
    twin and a 500 natively."""
    with pytest.raises(TypeError, match=r"not str \(text\(\) sends a str\)"):
        Response().send("hello")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not int"):
        Response().send(5)  # type: ignore[arg-type]
    app = App()

    @app.get("/{kind}")
    async def body(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raw = {"bytearray": bytearray(b"hi"), "memoryview": memoryview(b"hi"), "str": "hi"}
        res.send(raw[req.path_params["kind"]], "text/plain")

    client = TestClient(app)
    for kind in ("bytearray", "memoryview"):
        r = client.get(f"/{kind}")
        assert (r.status_code, r.content, r.headers["content-length"]) == (200, b"hi", "2")
    r = client.get("/str")
    assert (r.status_code, r.headers["content-type"]) == (500, "application/problem+json")


def test_the_cache_of_checked_header_names_stays_bounded() -> None:
    # a handler may name headers after client input: the names kept never pass the bound,
    # and a name past it is still checked (and sent) correctly
    from gati.http import header_fields

    res = Response()
    for i in range(3 * header_fields._MAX_NAMES):
        res.add_header(f"X-Echo-{i}", "1")
    assert len(header_fields._NAMES) <= header_fields._MAX_NAMES
    assert res.headers[-1] == (f"x-echo-{3 * header_fields._MAX_NAMES - 1}".encode(), b"1")
    with pytest.raises(ValueError, match="invalid header name"):
        res.add_header("X Echo past the bound", "1")
