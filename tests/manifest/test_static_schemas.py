"""Schemas in manifests: ``gt`` expressions evaluated from the AST (never imported or run), so
a document built from manifests alone carries the running app's JSON Schemas; what cannot be
evaluated statically is marked ``x-gati-unresolved``."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from gati import gt
from gati.manifest.analyzer import analyze_directory, analyze_source
from gati.manifest.evaluate import SchemaEvaluator, Unresolved
from gati.manifest.openapi import build_document
from gati.manifest.operations import UNRESOLVED, operations_from_manifests

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def same_operations(live: dict[str, Any], static: dict[str, Any]) -> None:
    """Every operation of ``static`` is the live one, and the components are the same, but
    for what the app decides at run time rather than the handler's source: the default
    timeout (a 504 for a handler without ``timeout=``) and the authenticator objects
    (``auth=writers``: its security scheme)."""
    assert static["paths"]
    for path, item in static["paths"].items():
        for method, op in item.items():
            expected = dict(live["paths"][path][method])
            expected["responses"] = dict(expected["responses"])
            if "504" not in op["responses"]:
                expected["responses"].pop("504", None)
            if "security" not in op:
                expected.pop("security", None)
            assert op == expected, (method, path)
    assert static["components"]["schemas"] == live["components"]["schemas"]


def test_the_pets_document_from_manifests_equals_the_live_one() -> None:
    from tests.manifest.pets_app import app

    analysis = analyze_source(
        (HERE / "pets_app.py").read_text(), module="tests.manifest.pets_app", file="pets_app.py"
    )
    assert analysis.errors == []
    ops = operations_from_manifests(analysis.manifests)
    for version in (None, "2025-01-01", "2025-06-01"):
        static = build_document(ops, version, info=app.openapi_info)
        validate(static)
        same_operations(app.openapi(version=version), static)


def test_the_demo_document_from_manifests_equals_the_live_one() -> None:
    from examples.bookstore import create_app

    analysis = analyze_directory(ROOT / "examples", discover=False)
    assert analysis.errors == [] and analysis.manifests
    demo = [m for m in analysis.manifests if m.source["file"] == "bookstore.py"]
    live = create_app().openapi()
    static = build_document(operations_from_manifests(demo), info=live["info"])
    validate(static)
    same_operations(live, static)


SOURCE = """
import os
import gati
from gati import App, gt
from gati import gt as g2
from gati.gtype.gt import string as text
from dataclasses import dataclass

LIMIT = 10 * 2
Name = text(min_length=1, max_length=LIMIT, description="a name")
Tree = gt.object({"name": Name, "kids": gt.array(gt.ref("Tree"))}, name="Tree")
Other: gt.Schema = g2.union(gati.gt.integer(min=-1), gt.null())

@dataclass
class Book:
    title: str

app = App()
"""


def evaluator(extra: str = "") -> tuple[SchemaEvaluator, dict[str, ast.expr]]:
    tree = ast.parse(SOURCE + extra)
    assignments: dict[str, ast.expr] = {}
    for st in tree.body:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            assignments[st.targets[0].id] = st.value
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value:
            assignments[st.target.id] = st.value
    return SchemaEvaluator(tree, assignments), assignments


def schema_of(text: str) -> dict[str, Any]:
    ev, _ = evaluator()
    return ev.schema(ast.parse(text, mode="eval").body)


def test_names_imports_arithmetic_and_refs_evaluate_like_the_dsl() -> None:
    limit = 20
    name = gt.string(min_length=1, max_length=limit, description="a name")
    tree = gt.object({"name": name, "kids": gt.array(gt.ref("Tree"))}, name="Tree")
    assert schema_of("Tree") == tree.core()
    assert schema_of("Other") == gt.union(gt.integer(min=-1), gt.null()).core()
    assert schema_of("gt.array(Tree, max_items=LIMIT - 5)") == gt.array(tree, max_items=15).core()


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("gt.from_type(Book)", "not a gt schema builder"),
        ("gt.enum(Color)", "Color is not bound"),
        ("gt.string(pattern=os.environ['P'])", "not evaluated statically"),
        ("gt.object(make_fields())", "make_fields(...) is not a gt schema builder"),
        ("gt.string(description=f'{LIMIT}')", "not evaluated statically"),
        ("gt.integer(min='x')", "fails"),
        ("Loop", "refers to itself"),
        ("LIMIT", "is not a gt schema"),
        ("gt.object({**base})", "** in a dict"),
    ],
)
def test_what_needs_running_code_is_unresolved_with_a_reason(expression: str, reason: str) -> None:
    with pytest.raises(Unresolved, match=re.escape(reason)):
        ev, _ = evaluator("Loop = gt.array(Loop)\n")
        ev.schema(ast.parse(expression, mode="eval").body)


def test_nothing_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"""
from gati import App, gt
import os
Evil = gt.string(pattern=os.system("touch {marker}"))
app = App()

@app.post("/x", request=Evil, response=gt.string(max_length=__import__("os").getpid()))
async def x(req, res, lctx, gctx):
    pass
"""
    (manifest,) = analyze_source(source, module="m", file="m.py").manifests
    assert not marker.exists()
    assert manifest.schemas["request"]["unresolved"] == "Evil"
    assert "os.system" in manifest.schemas["request"]["reason"]
    assert "unresolved" in manifest.schemas["response"]


def test_an_unresolved_schema_is_marked_in_the_document() -> None:
    source = """
from gati import App, gt
from models import Book
app = App()

@app.get("/books/{id:int}", response=Book, query=gt.object({"full": gt.boolean()}))
async def book(req, res, lctx, gctx):
    pass
"""
    manifests = analyze_source(source, module="m", file="m.py").manifests
    document = build_document(operations_from_manifests(manifests))
    validate(document)
    op = document["paths"]["/books/{id}"]["get"]
    body = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert body[UNRESOLVED] == "Book" and "not known from the source alone" in body["description"]
    assert {"name": "full", "in": "query", "required": True, "schema": {"type": "boolean"}} in op[
        "parameters"
    ]
