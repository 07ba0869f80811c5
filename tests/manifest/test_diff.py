"""``gati diff``: changes per operation with their severity, three output formats, exit codes
for CI, manifest stores, directories and git revisions, and ``--versions``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gati import App, gt
from gati.manifest.diff import diff_documents

GATI = str(Path(sys.executable).with_name("gati"))


async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


def doc(request: Any = None, response: Any = None, **options: Any) -> dict[str, Any]:
    app = App()
    app.post("/users/{id:int}", request=request, response=response, **options)(handler)
    return app.openapi()


def changes(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, bool]]:
    return {(c.where, c.message, c.breaking) for c in diff_documents(old, new)}


REQ = gt.object({"name": gt.string(max_length=10), "nick": gt.optional(gt.string())})
RES = gt.object({"id": gt.integer(), "email": gt.optional(gt.string())})


def test_identical_documents_have_no_changes() -> None:
    assert diff_documents(doc(REQ, RES), doc(REQ, RES)) == []


@pytest.mark.parametrize(
    ("new_request", "expected"),
    [
        (gt.object({"name": gt.string(max_length=10), "nick": gt.string()}),
         ("request body.nick", "optional → required", True)),
        (gt.object({"name": gt.string(max_length=10), "nick": gt.optional(gt.string()),
                    "age": gt.integer()}),
         ("request body.age", "request field added (required)", True)),
        (gt.object({"name": gt.string(max_length=10), "nick": gt.optional(gt.string()),
                    "age": gt.optional(gt.integer())}),
         ("request body.age", "request field added (optional)", False)),
        (gt.object({"name": gt.string(max_length=5), "nick": gt.optional(gt.string())}),
         ("request body.name", "maxLength 10 → 5", True)),
        (gt.object({"name": gt.string(max_length=20), "nick": gt.optional(gt.string())}),
         ("request body.name", "maxLength 10 → 20", False)),
        (gt.object({"name": gt.string(max_length=10)}),
         ("request body.nick", "request field removed", False)),
        (gt.object({"name": gt.integer(), "nick": gt.optional(gt.string())}),
         ("request body.name", "type string → integer", True)),
    ],
)  # fmt: skip
def test_request_rules(new_request: Any, expected: tuple[str, str, bool]) -> None:
    assert changes(doc(REQ, RES), doc(new_request, RES)) == {expected}


@pytest.mark.parametrize(
    ("new_response", "expected"),
    [
        (gt.object({"id": gt.integer()}), ("response 200.email", "response field removed", True)),
        (gt.object({"id": gt.optional(gt.integer()), "email": gt.optional(gt.string())}),
         ("response 200.id", "required → optional", True)),
        (gt.object({"id": gt.integer(), "email": gt.optional(gt.string()), "x": gt.string()}),
         ("response 200.x", "response field added (required)", False)),
        (gt.object({"id": gt.integer(nullable=True), "email": gt.optional(gt.string())}),
         None),
    ],
)  # fmt: skip
def test_response_rules(new_response: Any, expected: tuple[str, str, bool] | None) -> None:
    assert changes(doc(REQ, RES), doc(REQ, new_response)) == ({expected} if expected else set())
    if expected is None:  # nullable → non-nullable, the other way, breaks
        assert ("response 200.id", "no longer nullable", True) in changes(
            doc(REQ, new_response), doc(REQ, RES)
        )


def test_operations_added_removed_and_new_query_parameters() -> None:
    old, new = App(), App()
    old.get("/a")(handler)
    new.get("/b", query=gt.object({"q": gt.string(), "page": gt.optional(gt.integer())}))(handler)
    old.get("/b")(handler)
    found = {(c.operation, c.where, c.message, c.breaking)
             for c in diff_documents(old.openapi(), new.openapi())}  # fmt: skip
    assert found == {
        ("GET /a", "operation", "removed", True),
        ("GET /b", "query parameter q", "added (required)", True),
        ("GET /b", "query parameter page", "added (optional)", False),
    }


def write(path: Path, document: dict[str, Any]) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def gati(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GATI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_formats_and_fail_on(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", doc(REQ, RES))
    breaking = write(tmp_path / "breaking.json", doc(REQ, gt.object({"id": gt.integer()})))
    gentle = write(tmp_path / "gentle.json", doc(REQ, RES, deprecated=True))
    done = gati("diff", old, breaking)
    assert done.returncode == 1
    assert "POST /users/{id}" in done.stdout and "[breaking] response 200.email" in done.stdout
    assert gati("diff", old, breaking, "--fail-on", "none").returncode == 0
    assert gati("diff", old, gentle).returncode == 0
    assert gati("diff", old, gentle, "--fail-on", "any").returncode == 1
    assert gati("diff", old, old, "--fail-on", "any").stdout.strip() == "no changes"
    markdown = gati("diff", old, breaking, "--format", "markdown").stdout
    assert markdown.startswith("| operation | where | change | severity |")
    report = json.loads(gati("diff", old, breaking, "--format", "json").stdout)
    assert report["breaking"] == 1 and report["changes"][0]["severity"] == "breaking"


def test_versions_accept_a_breaking_change_released_as_a_new_version(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", doc(REQ, RES, version="2025-01-01"))
    new_response = gt.object({"id": gt.integer()})
    same = write(tmp_path / "same.json", doc(REQ, new_response, version="2025-01-01"))
    released = write(tmp_path / "new.json", doc(REQ, new_response, version="2025-06-01"))
    assert gati("diff", old, released, "--versions").returncode == 0
    assert "breaking (new version)" in gati("diff", old, released, "--versions").stdout
    assert gati("diff", old, same, "--versions").returncode == 1
    assert gati("diff", old, released).returncode == 1


def test_manifest_directories_and_stores(tmp_path: Path) -> None:
    for name, roles in (("old", ""), ("new", "\n    @roles admin")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "users.py").write_text(
            f'async def get(req, res, lctx, gctx):\n    """List.{roles}\n    """\n    return []\n'
        )
    done = gati("diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert done.returncode == 1
    assert "roles added: ['admin']" in done.stdout and "implementation changed" in done.stdout
    for name in ("old", "new"):
        stored = gati("manifest", str(tmp_path / name), "--store", str(tmp_path / f"{name}.db"),
                      "-o", str(tmp_path / f"{name}.manifests.json"))  # fmt: skip
        assert stored.returncode == 0, stored.stderr
    done = gati("diff", str(tmp_path / "old.db"), str(tmp_path / "new.db"))
    assert done.returncode == 1 and "roles added" in done.stdout


def test_git_revisions_of_an_app(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    source = (
        "from gati import App, gt\napp = App()\n"
        "async def h(req, res, lctx, gctx): return {{'id': 1}}\n"
        "app.get('/u', response=gt.object({{{fields}}}))(h)\n"
    )
    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    (tmp_path / "api.py").write_text(source.format(fields="'id': gt.integer(), 'n': gt.string()"))
    git("add", ".")
    git("commit", "-qm", "one")
    (tmp_path / "api.py").write_text(source.format(fields="'id': gt.integer()"))
    git("commit", "-qam", "two")
    done = gati("diff", "HEAD~1", "HEAD", "--app", "api:app", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "response 200.n: response field removed" in done.stdout
    missing = gati("diff", "HEAD~1", "HEAD", cwd=tmp_path)
    assert missing.returncode == 2 and "--app APP or --dir DIR" in missing.stderr
    unknown = gati("diff", "nope", "HEAD", cwd=tmp_path)
    assert unknown.returncode == 2 and "not a file, a directory or a git revision" in unknown.stderr


def test_unreadable_inputs_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    done = gati("diff", str(tmp_path / "bad.json"), str(tmp_path / "bad.json"))
    assert done.returncode == 2 and "is not JSON" in done.stderr
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    done = gati("diff", str(tmp_path / "junk.db"), str(tmp_path / "junk.db"))
    assert done.returncode == 2 and "cannot read manifest store" in done.stderr
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    done = gati("diff", str(tmp_path / "deep.json"), str(tmp_path / "deep.json"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = gati("diff", str(tmp_path / "missing.json"), str(tmp_path / "bad.json"))
    assert done.returncode == 2 and "cannot read" in done.stderr
