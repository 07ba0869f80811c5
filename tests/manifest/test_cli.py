"""The ``gati`` command through ``subprocess``: each command and its error paths (one line on
stderr, exit code 2, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from gati.testing import live_server

ROOT = Path(__file__).resolve().parents[2]
GATI = str(Path(sys.executable).with_name("gati"))
DEMO = "examples.bookstore:app"


def gati(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GATI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_usage_error(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gati: error: "), done.stderr
    assert words in lines[0]
    assert "Traceback" not in done.stderr


def test_routes_prints_a_table_of_every_route() -> None:
    done = gati("routes", DEMO)
    assert done.returncode == 0, done.stderr
    for cell in ("method", "versions", "roles", "limits", "handler", "/books/{book_id:int}",
                 "DELETE", "timeout 30s", "gati.healthz"):  # fmt: skip
        assert cell in done.stdout


def test_routes_lists_versions_roles_and_rate_limits(tmp_path: Path) -> None:
    (tmp_path / "policied.py").write_text(
        "from gati import APIKeyAuth, App\n"
        "app = App(auth=APIKeyAuth({'k': 'p'}))\n"
        "async def h(req, res, lctx, gctx): ...\n"
        "app.get('/a', version='2025-01-01', roles=['admin'], rate_limit='5/minute')(h)\n"
    )
    done = gati("routes", "policied:app", "--width", "200", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2025-01-01" in done.stdout and "admin" in done.stdout and "5/minute" in done.stdout


def test_openapi_writes_a_valid_document(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    done = gati("openapi", DEMO, "-o", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    validate(document)
    assert document["info"]["title"] == "Bookstore"
    printed = gati("openapi", "examples.bookstore:create_app()")
    assert json.loads(printed.stdout) == document


def test_openapi_from_handler_files_without_importing_them() -> None:
    done = gati("openapi", str(Path(__file__).parent / "tree"))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    validate(document)
    assert sorted(document["paths"]) == ["/orders/{order_id}/cancel", "/users", "/users/{id}"]
    post = document["paths"]["/users"]["post"]
    assert post["x-gati-roles"] == ["admin", "editor"] and "403" in post["responses"]
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/User"
    }


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("routes", "no_such_module:app"), "no such module"),
        (("routes", "examples.bookstore:nothing"), "has no attribute 'nothing'"),
        (("routes", "examples.bookstore"), "module:attribute"),
        (("routes", "examples.bookstore:API_KEY"), "not a gati.App"),
        (("openapi", DEMO, "--version", "someday"), "unknown version 'someday'"),
        (("openapi", DEMO, "-o", "/no/such/dir/x.json"), "cannot write"),
        (("routes",), "required: APP"),
        (("frobnicate",), "invalid choice"),
        (("bench", "no-such-suite"), "unknown suite"),
        (("run", "no_such_module:app"), "no such module"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(args: tuple[str, ...], words: str) -> None:
    assert_usage_error(gati(*args), words)


def test_an_app_that_fails_to_import_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    assert_usage_error(gati("routes", "broken:app", cwd=tmp_path), "RuntimeError: boom")


@pytest.mark.e2e
def test_run_serves_the_app_with_uvicorn() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [GATI, "run", DEMO, "--port", "{port}"]
    with live_server(command, cwd=ROOT, env=env, probe="/healthz") as server:
        assert httpx.get(f"{server.url}/books").json() == {"items": [], "count": 0}
        assert httpx.get(f"{server.url}/openapi.json").json()["openapi"] == "3.1.0"


@pytest.mark.once  # the CLI, not the backend
def test_bench_runs_a_suite_and_prints_its_tables(tmp_path: Path) -> None:
    suite = tmp_path / "benches" / "test_tiny_bench.py"
    suite.parent.mkdir()
    suite.write_text(
        "def test_sum(benchmark):\n"
        "    benchmark.group = 'tiny'\n"
        "    benchmark.extra_info['impl'] = 'sum'\n"
        "    benchmark(sum, range(10))\n"
    )
    done = gati("bench", "tiny", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "tiny" in done.stdout and "sum" in done.stdout and "1.00x" in done.stdout


VERSIONED_FILES = {
    "items_v1.py": ("/items", "2024-01-01", "Items, first form."),
    "items_v2.py": ("/items", "2024-06-01", "Items, second form."),
    "fresh.py": ("/fresh", "2024-06-01", "A path added later."),
}


def test_openapi_of_files_for_a_version_is_what_the_app_serves(tmp_path: Path) -> None:
    """``gati openapi DIR --version V`` picks each path's implementation as the running app's
    ``/openapi.json?version=V`` does: the one dated at or before V, else the path's first."""
    from gati import App
    from gati.manifest.openapi import openapi_document
    from gati.manifest.serve import resolve_document_version

    for name, (path, version, summary) in VERSIONED_FILES.items():
        (tmp_path / name).write_text(
            f'def get(req, res, lctx, gctx):\n    """{summary}\n\n'
            f'    @path {path}\n    @version {version}\n    """\n    return {{}}\n'
        )
    app = App.from_directory(str(tmp_path), health_paths=None)
    for asked in ("2024-01-01", "2024-03-15", "2024-06-01", "latest", "2023-01-01"):
        done = gati("openapi", str(tmp_path), "--version", asked)
        assert done.returncode == 0, done.stderr
        exported = json.loads(done.stdout)
        served = openapi_document(app, resolve_document_version(app, asked))
        summaries = {p: item["get"]["summary"] for p, item in exported["paths"].items()}
        assert summaries == {p: item["get"]["summary"] for p, item in served["paths"].items()}
        assert exported["info"]["version"] == served["info"]["version"]
        assert exported["x-gati-versions"] == ["2024-01-01", "2024-06-01"]
    early = json.loads(gati("openapi", str(tmp_path), "--version", "2024-03-15").stdout)
    assert {p: i["get"]["summary"] for p, i in early["paths"].items()} == {
        "/items": "Items, first form.",
        "/fresh": "A path added later.",
    }
    assert_usage_error(gati("openapi", str(tmp_path), "--version", "v9"), "unknown version 'v9'")
