"""Fingerprints: stable under reformatting, comments, docstring prose, file order and the
working directory; changed by any change to the body, types or policies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gati.manifest.analyzer import analyze_directory, analyze_source

HERE = Path(__file__).parent
BASE = '''
from gati import App, gt

app = App()
Item = gt.object({"name": gt.string(max_length=10)})


@app.post("/items", request=Item, roles=["admin"], rate_limit="5/minute")
async def create(req, res, lctx, gctx):
    """Create an item."""
    item = req.validated
    return {"name": item["name"]}
'''


def printed(source: str) -> str:
    analysis = analyze_source(source, module="m", file="m.py")
    assert analysis.errors == []
    (manifest,) = analysis.manifests
    return manifest.fingerprint


def test_whitespace_comments_and_docstring_prose_do_not_change_it() -> None:
    reformatted = BASE.replace("item = req.validated", "item   =   req.validated  # the body")
    reworded = BASE.replace("Create an item.", "Make one new item, in other words.")
    assert printed(BASE) == printed(reformatted) == printed(reworded)


def test_ruff_format_does_not_change_it(tmp_path: Path) -> None:
    ugly = BASE.replace('{"name": item["name"]}', "{ 'name' :item[ 'name' ] }").replace(
        "async def create(req, res, lctx, gctx):", "async def create(req,res,\n    lctx,gctx ):"
    )
    file = tmp_path / "m.py"
    file.write_text(ugly)
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "format", "-q", str(file)], check=True)
    assert file.read_text() != ugly
    assert printed(file.read_text()) == printed(ugly) == printed(BASE)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('return {"name": item["name"]}', 'return {"name": item["name"].upper()}'),  # body
        ("max_length=10", "max_length=11"),  # a schema it uses
        ('roles=["admin"]', 'roles=["ops"]'),  # a policy
        ('rate_limit="5/minute"', 'rate_limit="6/minute"'),
        ('"/items"', '"/things"'),  # the route
        ("async def create", "def create"),
    ],
)
def test_any_behavioural_change_changes_it(old: str, new: str) -> None:
    assert old in BASE
    assert printed(BASE.replace(old, new)) != printed(BASE)


def test_a_docstring_tag_is_a_policy_and_changes_it() -> None:
    tagged = BASE.replace('"""Create an item."""', '"""Create.\n\n    @timeout 5s\n    """')
    assert printed(tagged) != printed(BASE)


def test_the_same_tree_anywhere_in_any_order_gives_the_same_fingerprints(
    tmp_path: Path,
) -> None:
    here = {m.handler_id: m.fingerprint for m in analyze_directory(HERE / "tree").manifests}
    copy = tmp_path / "elsewhere" / "tree"
    shutil.copytree(HERE / "tree", copy)
    script = (
        "import json, sys; from gati.manifest.analyzer import analyze_directory; "
        "print(json.dumps({m.handler_id: m.fingerprint for m in "
        "analyze_directory(sys.argv[1]).manifests}))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, "tree"], cwd=copy.parent, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    import json

    assert json.loads(other.stdout) == here
    assert len(set(here.values())) == len(here)
