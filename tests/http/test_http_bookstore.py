"""The demo bookstore: CRUD, validation, the audit hook, API keys and roles, error paths."""

from __future__ import annotations

from examples.bookstore import API_KEY, READER_KEY, create_app

from gati.testing import TestClient

KEY = {"x-api-key": API_KEY}
DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965, "tags": ["sf"]}


def test_crud_session() -> None:
    with TestClient(create_app()) as client:
        r = client.post("/books", json=DUNE, headers=KEY)
        assert r.status_code == 201
        assert r.headers["location"] == "/books/1"
        assert r.json() == {"id": 1, **DUNE}
        assert client.get("/books/1").json()["title"] == "Dune"
        assert client.get("/books?author=Frank%20Herbert&limit=5").json()["count"] == 1
        replaced = {**DUNE, "title": "Dune Messiah", "year": 1969}
        assert client.put("/books/1", json=replaced, headers=KEY).json()["year"] == 1969
        assert client.delete("/books/1", headers=KEY).status_code == 204
        assert client.get("/books/1").status_code == 404
        assert client.get("/stats").json()["requests"] == 6


def test_error_paths() -> None:
    with TestClient(create_app()) as client:
        r = client.post("/books", json=DUNE)
        assert (r.status_code, r.headers["www-authenticate"]) == (401, 'ApiKey realm="gati"')
        assert client.delete("/books/1", headers={"x-api-key": READER_KEY}).status_code == 403
        r = client.post("/books", json={**DUNE, "year": 99, "isbn": "x"}, headers=KEY)
        assert r.status_code == 400
        assert [e["path"] for e in r.json()["errors"]] == [["year"], ["isbn"]]
        r = client.post(
            "/books", content=b"title=Dune", headers={**KEY, "content-type": "text/plain"}
        )
        assert r.status_code == 415
        assert client.get("/books?limit=1000").status_code == 400
        assert client.get("/books/abc").status_code == 404
        assert client.patch("/books/1").status_code == 405
        codes = [client.post("/books", json=DUNE, headers=KEY).status_code for _ in range(5)]
        assert codes == [201, 201, 201, 429, 429]  # 5/minute: two were spent above
