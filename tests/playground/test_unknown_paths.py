"""Paths and methods the Playground does not have answer problem+json, like the rest of gati:
404 for an unknown path under ``/_gati/``, 405 with ``Allow`` for a method its path does not
take; the access rules still come first."""

from __future__ import annotations

import pytest

from gati.testing import TestClient
from tests.playground.apps import make_app


@pytest.mark.parametrize(
    "path", ["/_gati/nope", "/_gati/api/nope", "/_gati/api/requests/r1/nope", "/_gati/api"]
)
def test_an_unknown_path_is_a_problem_404(path: str) -> None:
    r = TestClient(make_app()).get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 404 and body["detail"] == f"the Playground has no path {path}"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/_gati/api/requests", {"GET", "HEAD"}),
        ("POST", "/_gati/api/versions", {"GET", "HEAD"}),
        ("GET", "/_gati/api/gates/g1", {"DELETE"}),
        ("PATCH", "/_gati/api/gates", {"GET", "HEAD", "POST"}),
        ("GET", "/_gati/api/paused/p1/resume", {"POST"}),
        ("PUT", "/_gati/", {"GET", "HEAD"}),
    ],
)
def test_a_wrong_method_is_a_problem_405_with_allow(
    method: str, path: str, allowed: set[str]
) -> None:
    r = TestClient(make_app()).request(method, path)
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert {m.strip() for m in r.headers["allow"].split(",")} == allowed
    assert r.json()["detail"].startswith(f"{method} is not allowed on {path}")


def test_an_unknown_path_still_needs_the_token() -> None:
    client = TestClient(make_app(playground_token="t0k"))
    r = client.get("/_gati/nope")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    r = client.get("/_gati/nope", headers={"x-gati-playground-token": "t0k"})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
