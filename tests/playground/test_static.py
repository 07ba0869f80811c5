"""The Playground's page and its assets: served from the package, local only (no CDN), and
nothing outside ``static/`` is reachable through them."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from gati.testing import TestClient
from tests.playground.apps import make_app

STATIC = resources.files("gati.playground") / "static"
ASSETS = sorted(entry.name for entry in STATIC.iterdir())
MODULES = [name for name in ASSETS if name.endswith(".js")]


def test_the_page_and_its_assets_are_served_with_their_types() -> None:
    with TestClient(make_app()) as client:
        page = client.get("/_gati/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        linked = re.findall(r'(?:src|href)="(?!data:)([^"#]+)"', page.text)
        assert sorted(linked) == ["static/app.css", "static/app.js"]
        css = client.get("/_gati/static/app.css")
        assert css.headers["content-type"].startswith("text/css")
        assert css.text == (STATIC / "app.css").read_text()
        for name in MODULES:  # a browser runs a module only when it is served as JavaScript
            module = client.get(f"/_gati/static/{name}")
            assert module.status_code == 200, name
            assert module.headers["content-type"].startswith("text/javascript"), name
            assert module.text == (STATIC / name).read_text()


def test_the_modules_import_only_each_other() -> None:
    for name in MODULES:
        imported = re.findall(r'^import .* from "([^"]+)";$', (STATIC / name).read_text(), re.M)
        assert all(target.removeprefix("./") in MODULES for target in imported), (name, imported)


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
