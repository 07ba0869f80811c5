"""The /docs page: Swagger UI served from the installed package (no CDN), with a selector
across Timescape versions; rendered for real in headless Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gati import App
from gati.testing import TestClient, live_server

ROOT = Path(__file__).resolve().parents[2]


async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """Say hello."""


def versioned_app() -> App:
    app = App(openapi_info={"title": "Versioned <API>"})
    app.get("/a", version="2025-01-01")(handler)
    app.get("/b", version="2025-06-01")(handler)
    return app


def test_the_page_loads_only_local_assets() -> None:
    with TestClient(versioned_app()) as client:
        r = client.get("/docs")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert sources and all(s.startswith("/docs/") for s in sources)
        assert "<title>Versioned &lt;API&gt;</title>" in r.text
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200, source
            assert asset.headers["cache-control"].startswith("public")
        assert client.get("/docs/swagger-ui.css").headers["content-type"].startswith("text/css")


def test_the_version_selector_lists_latest_then_each_version() -> None:
    with TestClient(versioned_app()) as client:
        page = client.get("/docs").text
    names = re.findall(r'"name":"([^"]+)"', page)
    assert names == ["latest", "2025-06-01", "2025-01-01"]
    assert '"url":"/openapi.json?version=2025-01-01"' in page


def test_unknown_assets_are_404_not_files_from_disk() -> None:
    with TestClient(App()) as client:
        for name in ("index.html", "..%2F..%2Fpyproject.toml", "swagger-ui.js.map"):
            r = client.get(f"/docs/{name}")
            assert r.status_code == 404
            assert r.headers["content-type"] == "application/problem+json"


def test_a_mounted_app_links_its_assets_under_the_mount() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    outer = Starlette(routes=[Mount("/api", app=versioned_app())])
    with TestClient(outer) as client:
        page = client.get("/api/docs").text
        assert 'src="/api/docs/swagger-ui-bundle.js"' in page
        assert '"url":"/api/openapi.json?version=latest"' in page
        assert client.get("/api/docs/swagger-ui-bundle.js").status_code == 200


@pytest.mark.once  # a browser rendering the page, not the backend
@pytest.mark.e2e
def test_headless_chromium_renders_every_operation_offline(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "uvicorn", "examples.bookstore:app", "--port", "{port}",
               "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=ROOT, env=env, probe="/healthz") as server:
        shot = tmp_path / "docs.png"
        profile = f"--user-data-dir={tmp_path / 'profile'}"
        common = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                  "--virtual-time-budget=10000", profile]  # fmt: skip
        dom = subprocess.run(
            [*common, "--dump-dom", f"{server.url}/docs"],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
        subprocess.run(
            [*common, "--window-size=1280,900", f"--screenshot={shot}", f"{server.url}/docs"],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
    paths = set(re.findall(r'class="opblock-summary-path" data-path="([^"]+)"', dom))
    assert paths == {"/books", "/books/{book_id}", "/customers", "/customers/{id}", "/healthz",
                     "/readyz", "/stats"}  # fmt: skip
    assert 'id="select"' in dom  # the version selector
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
