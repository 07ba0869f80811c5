"""``App.from_directory``: a tree of handler files served as routes, with the options its
docstring tags declare."""

from __future__ import annotations

from pathlib import Path

import pytest

from gati import APIKeyAuth, App, Principal
from gati.manifest.operations import table_routes
from gati.testing import TestClient

KEY = {"x-api-key": "key"}
TREE = Path(__file__).parent / "tree"


class Db:
    async def insert(self, value: object) -> None:
        return None

    def find(self, user_id: int) -> dict[str, object]:
        return {"id": user_id, "name": "Ada"}


class Cache:
    def touch(self, key: object) -> None:
        return None


def test_a_tree_of_files_is_served() -> None:
    app = App.from_directory(
        str(TREE),
        modules={"db": Db(), "cache": Cache(), "mailer": object()},
        auth=APIKeyAuth({"key": Principal("p", ["admin"])}),
    )
    routes = {(m, p): r for m, p, r in table_routes(app)}
    post = routes[("POST", "/users")]
    assert (post.roles, post.rate_limit, post.timeout, post.version) == (
        ("admin", "editor"), "100/minute", 5.0, "2025-11-01",
    )  # fmt: skip
    with TestClient(app) as client:
        assert client.get("/users", headers=KEY).json() == [{"id": 1, "name": "Ada"}]
        assert client.get("/users/7", headers=KEY).json() == {"id": 7, "name": "Ada"}
        assert client.get("/users/x", headers=KEY).status_code == 404
        assert client.delete("/users/7", headers=KEY).status_code == 204
        assert client.post("/orders/9/cancel", headers=KEY).json() == {"cancelled": True}
    assert "/users/{id}" in app.openapi()["paths"]


def test_a_malformed_tree_is_refused_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("async def get(req):\n    return 1\n")
    with pytest.raises(ValueError, match=r"bad\.py:1: handler get must take"):
        App.from_directory(str(tmp_path))
    with pytest.raises(ValueError, match="not a directory"):
        App.from_directory(str(tmp_path / "missing"))
