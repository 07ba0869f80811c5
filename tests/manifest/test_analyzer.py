"""The analyzer reads handler files with ``ast`` and never imports them: discovery, decorators,
docstring tags, types, module dependencies, hooks, per-file errors (Properties 2 and 37)."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gati.manifest.analyzer import analyze_directory, analyze_source
from gati.manifest.model import Manifest

HERE = Path(__file__).parent


def by_route(manifests: list[Manifest]) -> dict[tuple[str, str], Manifest]:
    return {(m.methods[0], m.path): m for m in manifests}


def test_file_based_discovery_and_docstring_tags() -> None:
    analysis = analyze_directory(HERE / "tree")
    assert analysis.errors == []
    found = by_route(analysis.manifests)
    assert sorted(found) == [
        ("DELETE", "/users/{id:int}"),
        ("GET", "/users"),
        ("GET", "/users/{id:int}"),
        ("POST", "/orders/{order_id}/cancel"),
        ("POST", "/users"),
    ]
    post = found[("POST", "/users")]
    assert post.handler_id == "users.index.post"
    assert post.policies == {"roles": ["admin", "editor"], "rate_limit": "100/minute",
                             "timeout": 5.0}  # fmt: skip
    assert post.version == "2025-11-01"
    assert post.gtypes["response"] == "User"
    assert post.dependencies == ("db",)
    assert post.source == {"file": "users/index.py", "line": 16}
    assert post.docs["summary"] == "Create a user."
    assert found[("POST", "/orders/{order_id}/cancel")].policies["timeout"] == 0.25


def test_every_dependency_form_is_found() -> None:
    found = by_route(analyze_directory(HERE / "tree").manifests)
    assert found[("GET", "/users/{id:int}")].dependencies == ("cache", "db", "mailer")


def test_decorators_give_types_policies_ids_and_hooks() -> None:
    """Property 37: hooks registered in the file are recorded in each handler's manifest."""
    analysis = analyze_directory(HERE / "decorated", discover=False)
    assert analysis.errors == []
    found = by_route(analysis.manifests)
    create = found[("POST", "/items")]
    assert create.handler_id == "app.create_item"
    assert create.gtypes["request"] == "Item" and create.gtypes["response"] == "Stored"
    assert create.policies["roles"] == ["admin"]
    assert create.docs["tags"] == ["items"]
    assert list(create.hooks) == [
        {"name": "audit", "kind": "before", "level": "global"},
        {"name": "finish", "kind": "after", "level": "global"},
        {"name": "check", "kind": "before", "level": "route"},
    ]
    item = found[("GET", "/items/{id:int}")]
    assert item.handler_id == "items.get"
    assert (item.version, item.policies["rate_limit"]) == ("2025-01-01", "5/second")


def test_malformed_files_are_reported_with_lines_and_the_rest_analysed(tmp_path: Path) -> None:
    (tmp_path / "syntax.py").write_text("def get(req, res, lctx, gctx):\n    return (\n")
    (tmp_path / "arity.py").write_text(
        "async def get(req, res):\n    return None\n\n\n"
        "async def post(req, res, lctx, gctx):\n    return None\n"
    )
    (tmp_path / "tags.py").write_text(
        'async def get(req, res, lctx, gctx):\n    """Bad.\n\n    @owner someone\n    """\n\n\n'
        "async def put(req, res, lctx, gctx):\n    return None\n"
    )
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00")
    analysis = analyze_directory(tmp_path)
    errors = sorted((e.file, e.line, e.message.split(":")[0]) for e in analysis.errors)
    assert errors == [
        ("arity.py", 1, "handler get must take (req, res, lctx, gctx)"),
        ("binary.py", 0, "cannot read"),
        ("syntax.py", 2, "syntax error"),
        ("tags.py", 4, "unknown docstring tag @owner"),
    ]
    assert sorted((m.methods[0], m.path) for m in analysis.manifests) == [
        ("POST", "/arity"),
        ("PUT", "/tags"),
    ]


def test_hostile_files_are_errors_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "nulls.py").write_bytes(b"async def get(req, res, lctx, gctx):\x00\n")
    deep = "async def get(req, res, lctx, gctx):\n    return " + "[" * 5000 + "]" * 5000 + "\n"
    (tmp_path / "deep.py").write_text(deep)
    nested = "async def get(req, res, lctx, gctx):\n    return " + "-" * 50_000 + "1\n"
    (tmp_path / "nested.py").write_text(nested)
    (tmp_path / "fine.py").write_text("async def get(req, res, lctx, gctx):\n    return 1\n")
    analysis = analyze_directory(tmp_path)
    assert [m.path for m in analysis.manifests] == ["/fine"]
    assert sorted(e.file for e in analysis.errors) == ["deep.py", "nested.py", "nulls.py"]


def test_the_analyzer_never_imports_what_it_reads(tmp_path: Path) -> None:
    (tmp_path / "bomb.py").write_text(
        "raise SystemExit('imported!')\n\nasync def get(req, res, lctx, gctx):\n    return 1\n"
    )
    before = set(sys.modules)
    analysis = analyze_directory(tmp_path)
    assert [m.path for m in analysis.manifests] == ["/bomb"]
    assert not {name for name in set(sys.modules) - before if "bomb" in name}


def test_a_live_app_gives_the_same_manifests_as_its_files() -> None:
    sys.path.insert(0, str(HERE / "decorated"))
    try:
        import app as decorated  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(HERE / "decorated"))
    static = by_route(analyze_directory(HERE / "decorated", discover=False).manifests)
    live = [m for m in decorated.app.manifests() if not m.handler_id.startswith("gati.")]
    assert len(live) == 2
    for manifest in live:
        twin = static[(manifest.methods[0], manifest.path)]
        assert manifest.fingerprint == twin.fingerprint
        assert manifest.to_dict() | {"source": {}} == twin.to_dict() | {"source": {}}


_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and n not in {"get", "post", "put", "patch", "delete"}
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            _names,
            st.sampled_from(["get", "post", "put", "patch", "delete"]),
            st.lists(_names, max_size=3),
            st.sampled_from(["", "admin", "admin, ops"]),
        ),
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_every_registered_handler_has_a_complete_manifest(handlers: list[tuple]) -> None:
    """Property 2: each handler in a file gets a manifest with every field filled in."""
    lines = ["from gati import App", "app = App()"]
    routes = set()
    for name, method, modules, roles in handlers:
        path = f"/{name}"
        routes.add((method.upper(), path))
        lines.append(f"@app.{method}({path!r}, roles={roles.split(', ') if roles else []!r})")
        lines.append(f"async def {name}(req, res, lctx, gctx):")
        lines += [f"    gctx.modules.{m}.call()" for m in modules] or ["    return None"]
    analysis = analyze_source("\n".join(lines) + "\n", module="gen", file="gen.py")
    assert analysis.errors == []
    assert {(m.methods[0], m.path) for m in analysis.manifests} == routes
    for manifest, (name, _, modules, roles) in zip(analysis.manifests, handlers, strict=True):
        assert manifest.handler_id == f"gen.{name}"
        assert manifest.dependencies == tuple(sorted(set(modules)))
        assert manifest.policies["roles"] == (roles.split(", ") if roles else [])
        assert manifest.fingerprint.startswith("sha256:") and len(manifest.fingerprint) == 71
        assert set(manifest.to_dict()) == {"handler_id", "path", "methods", "gtypes", "hooks",
                                           "policies", "timescape", "dependencies", "schemas",
                                           "source", "docs"}  # fmt: skip
        assert Manifest.from_dict(manifest.to_dict()) == manifest
