"""Over HTTP, through a real uvicorn: responses leave through their schema (only declared fields),
and ``req.data`` / ``req.query_data`` / ``req.params_data`` hold converted values (Property 11).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gati.testing import LiveServer
from tests.http.serve import serve

BOOK = {
    "title": "Notes",
    "isbn": "123e4567-e89b-12d3-a456-426614174000",
    "published": "1843-10-01",
    "price": "12.25",
}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with serve("convert_app:app", probe="/hello") as live:
        yield live


@pytest.mark.e2e
def test_undeclared_fields_never_leave_a_response(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/public")
    assert r.status_code == 200
    assert r.json() == {"id": 1, "name": "x", "friends": [{"id": 2}]}
    assert b"secret" not in r.content and b"token" not in r.content


@pytest.mark.e2e
def test_an_extra_schema_keeps_and_validates_extras(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/noted").json() == {"id": 1, "note": "kept", "bad": "kept"}
    r = httpx.get(f"{server.url}/noted", params={"bad": "1"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.e2e
def test_forbid_keeps_the_500_and_sends_nothing_of_the_value(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/strict")
    assert r.status_code == 500 and b"secret" not in r.content


@pytest.mark.e2e
def test_the_body_is_converted_into_a_dataclass(server: LiveServer) -> None:
    r = httpx.post(f"{server.url}/books", json=BOOK)
    assert r.status_code == 201
    assert r.json() == {
        "type": "NewBook",
        "isbn": "UUID",
        "published": "1843-10-01",
        "price": "24.50",
        "tags": [],
        "validated": BOOK,
    }
    bad = httpx.post(f"{server.url}/books", json={**BOOK, "published": "1843-02-30"})
    assert bad.status_code == 400
    assert [e["path"] for e in bad.json()["errors"]] == [["published"]]


@pytest.mark.e2e
def test_query_and_path_params_are_converted(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/search", params={"since": "2024-01-31"})
    assert r.json() == {"since": "date", "raw": "2024-01-31"}
    r = httpx.get(f"{server.url}/items/123e4567-e89b-12d3-a456-426614174000")
    assert r.json() == {"item_id": "UUID"}
    assert httpx.get(f"{server.url}/items/nope").status_code == 400
