"""The size of a whole form, per route and app-wide, apart from ``max_body_size``: a form past
``FormLimits(max_size=...)`` is a 413 problem, whether ``Content-Length`` announces it or the
bytes only show it while they arrive (chunked), in process and under uvicorn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from gati import FormLimits
from gati.testing import LiveServer, TestClient
from tests.http.form_limits_app import app
from tests.http.serve import serve


def assert_413(r: httpx.Response) -> None:
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "larger than this route accepts" in detail or "Too many" in detail


def test_a_form_within_the_route_limit_is_parsed() -> None:
    r = TestClient(app).post("/avatar", files={"file": ("a.png", b"x" * 1000)})
    assert r.json() == {"size": 1000}


def test_a_form_past_the_route_limit_is_a_413_though_the_body_limit_allows_it() -> None:
    r = TestClient(app).post("/avatar", files={"file": ("a.png", b"x" * 5000)})
    assert_413(r)
    assert "4096 bytes" in r.json()["detail"]


def test_the_app_limit_applies_to_routes_without_their_own() -> None:
    client = TestClient(app)
    assert client.post("/upload", files={"a": ("a", b"x" * 60_000)}).json() == {
        "files": {"a": 60_000}
    }
    assert_413(client.post("/upload", files={"a": ("a", b"x" * 70_000)}))
    files = [("f", (f"{i}.txt", b"x")) for i in range(3)]
    assert_413(client.post("/upload", files=files))


def test_the_form_limit_leaves_other_bodies_alone() -> None:
    assert TestClient(app).post("/json", content=b"x" * 100_000).json() == {"len": 100_000}


def test_form_limits_refuse_what_is_not_a_size() -> None:
    for bad in ({"max_size": -1}, {"max_size": 1.5}, {"max_files": "2"}):
        with pytest.raises(ValueError, match="form limits"):
            FormLimits(**bad)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    # The probe's 405 (GET on a POST route) is an answer: the server is up.
    with serve("form_limits_app:app", probe="/json") as live:
        yield live


def multipart(size: int) -> tuple[bytes, str]:
    boundary = "gatiboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.e2e
def test_form_limits_over_real_http(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        ok = client.post("/avatar", files={"file": ("a.png", b"x" * 2000)})
        assert ok.json() == {"size": 2000}
        assert_413(client.post("/avatar", files={"file": ("a.png", b"x" * 8000)}))
        body, media = multipart(200_000)

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(body), 8192):
                yield body[i : i + 8192]

        async def chunked() -> httpx.Response:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as aclient:
                return await aclient.post(
                    "/upload", content=chunks(), headers={"Content-Type": media}
                )

        r = asyncio.run(chunked())  # no Content-Length: counted as the bytes arrive
        assert_413(r)
        assert "65536 bytes" in r.json()["detail"]
        assert client.post("/json", content=b"x" * 200_000).json() == {"len": 200_000}
