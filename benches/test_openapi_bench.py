"""Tooling speed: the OpenAPI document of a 500-route app (target < 200 ms), the analyzer per
100 handler files, and ``gati routes`` start-up against ``litestar routes`` on the same routes
(each command a fresh process, as a user runs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gati import APIKeyAuth, App, Principal, gt
from gati.manifest.analyzer import analyze_directory
from gati.manifest.openapi import openapi_document

BIN = Path(sys.executable).parent
ROUTES = 500


async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    """A handler."""


def big_app() -> App:
    # the admin routes' roles need an authenticator, whose scheme the document describes
    app = App(health_paths=None, auth=APIKeyAuth({"key": Principal("admin", ["admin"])}))
    item = gt.object({"name": gt.string(max_length=50), "tags": gt.array(gt.string()),
                      "price": gt.number(min=0), "nick": gt.optional(gt.string())})  # fmt: skip
    query = gt.object({"limit": gt.optional(gt.integer(min=1, max=100))})
    for i in range(ROUTES // 2):
        named = gt.object({"id": gt.integer(), "item": item}, name=f"Stored{i}")
        app.get(f"/r{i}/{{id:int}}", response=named, query=query, id=f"get{i}")(handler)
        app.post(f"/r{i}", request=item, response=named, roles=["admin"], id=f"post{i}")(handler)
    return app


@pytest.mark.benchmark(group="tools: OpenAPI document, 500 routes")
def test_openapi_500_routes(benchmark: Any) -> None:
    app = big_app()
    benchmark.extra_info["impl"] = "gati openapi_document"
    document = benchmark(openapi_document, app)
    assert len(document["paths"]) == ROUTES


HANDLER_FILE = '''
from gati import gt

Item = gt.object({{"name": gt.string(), "n": gt.integer(min={i})}})


async def get(req, res, lctx, gctx):
    """Read item {i}.

    @roles reader
    @rate-limit 100/minute
    """
    return gctx.modules.db.find(req.path_params["id"])


async def post(req, res, lctx, gctx) -> Item:
    """Write item {i}.

    @timeout 5s
    """
    await gctx.modules["db"].insert(req.validated)
    return req.validated
'''


@pytest.mark.benchmark(group="tools: analyzer, 100 handler files")
def test_analyzer_100_files(benchmark: Any, tmp_path: Path) -> None:
    for i in range(100):
        folder = tmp_path / f"area{i % 10}"
        folder.mkdir(exist_ok=True)
        (folder / f"item{i}.py").write_text(HANDLER_FILE.format(i=i))
    benchmark.extra_info["impl"] = "gati analyzer"
    analysis = benchmark(analyze_directory, tmp_path)
    assert len(analysis.manifests) == 200 and not analysis.errors


GATI_APP = """
from gati import App
app = App()
async def h(req, res, lctx, gctx): ...
for i in range(100):
    app.get(f"/items{i}/{{id:int}}", id=f"get{i}")(h)
"""
LITESTAR_APP = """
from litestar import Litestar, get
handlers = []
for i in range(100):
    async def h(id: int) -> None: ...
    handlers.append(get(f"/items{i}/{{id:int}}", name=f"get{i}", sync_to_thread=False)(h))
app = Litestar(handlers)
"""


@pytest.mark.benchmark(group="tools: routes command start-up, 100 routes")
@pytest.mark.parametrize("impl", ["gati routes", "litestar routes"])
def test_routes_command_startup(benchmark: Any, tmp_path: Path, impl: str) -> None:
    (tmp_path / "gati_app.py").write_text(GATI_APP)
    (tmp_path / "litestar_app.py").write_text(LITESTAR_APP)
    command = (
        [str(BIN / "gati"), "routes", "gati_app:app"]
        if impl == "gati routes"
        else [str(BIN / "litestar"), "--app", "litestar_app:app", "routes"]
    )

    def run() -> None:
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)

    benchmark.extra_info["impl"] = impl
    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
