"""The Playground's page and its assets: served from the package, local only (no CDN), and
nothing outside ``static/`` is reachable through them."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from gati.testing import TestClient
from tests.playground.apps import make_app

STATIC = resources.files("gati.playground") / "static"
ASSETS = ("index.html", "app.css", "app.js")


def test_the_page_and_its_assets_are_served_with_their_types() -> None:
    with TestClient(make_app()) as client:
        page = client.get("/_gati/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        linked = re.findall(r'(?:src|href)="(?!data:)([^"#]+)"', page.text)
        assert sorted(linked) == ["static/app.css", "static/app.js"]
        types = {"static/app.css": "text/css", "static/app.js": "text/javascript"}
        for path in linked:
            asset = client.get(f"/_gati/{path}")
            assert asset.status_code == 200, path
            assert asset.headers["content-type"].startswith(types[path])
            assert asset.text == (STATIC / path.removeprefix("static/")).read_text()


@pytest.mark.parametrize("name", ASSETS)
def test_no_asset_loads_anything_from_another_origin(name: str) -> None:
    text = (STATIC / name).read_text()
    urls = set(re.findall(r"https?://[^\s'\"<>)]+", text, re.IGNORECASE))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # an XML namespace names, loads nothing
    assert "@import" not in text


@pytest.mark.parametrize(
    "path", ["/_gati/static/nope.js", "/_gati/static/..%2Fapi.py", "/_gati/static/%2E%2E/core.py"]
)
def test_only_files_of_the_ui_are_served(path: str) -> None:
    with TestClient(make_app()) as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
