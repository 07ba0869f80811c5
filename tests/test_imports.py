"""Dependencies point one way (DESIGN §1), checked by reading every module's imports with ``ast``.

Layers, low to high: leaves (``errors``, ``_tables``, ``_text``, the native module, the ``_pure``
twins); the backend registry; ``gtype``; ``context``, ``lifecycle`` and the hook record they
share; ``http``; the features; ``app``; the tools. A module imports only its own layer or lower
ones, and only the registry (``gati._backend``) names the twins.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "python" / "gati"

# Module-name prefixes → layer. The longest matching prefix decides.
LAYERS: dict[str, int] = {
    "gati.errors": 1,
    "gati._tables": 1,
    "gati._text": 1,
    "gati._native": 1,
    "gati._pure": 1,
    "gati.secrets.value": 1,  # the ``Secret`` value type: a leaf the snapshot codec needs
    "gati._backend": 2,
    "gati.gtype": 3,
    "gati.hook": 4,
    "gati.context": 4,
    "gati.lifecycle": 4,
    "gati.http": 5,
    "gati.timescape": 6,
    "gati.policy": 6,
    "gati.modules": 6,
    "gati.secrets": 6,
    "gati.fabric": 6,
    "gati.telemetry": 6,
    "gati.app": 7,
    "gati.manifest": 8,
    "gati.playground": 8,
    "gati.testing": 8,
    "gati.cli": 8,
    "gati": 9,  # the package itself, and any module not listed above (the top layer)
}
# Leaves import nothing from gati except other leaves' tables.
LEAVES = ("gati.errors", "gati._tables", "gati._text", "gati.secrets.value")
TWINS = ("gati._native", "gati._pure")
# The one sanctioned upward reach: ``App``'s documented doors into the tools (``app.openapi()``,
# the ``/openapi.json`` and ``/docs`` routes, ``App.from_directory``, ``app.manifests()``) import
# ``gati.manifest`` inside the method that needs it, never at module level, so importing gati
# never loads the tools and the import graph has no cycle. ``App(playground=True)`` opens the
# Playground the same way (imported in ``__init__`` only when asked).
LAZY_UP = {"gati.app": ("gati.manifest", "gati.playground")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_name(path), path


def gati_imports(path: Path, *, module_level: bool = False) -> list[str]:
    """Every gati module ``path`` imports, at any depth of its code (``from gati import x``
    counts as importing the package itself); only the top-level statements' imports with
    ``module_level``."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body if module_level else ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "gati"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module] if node.module.split(".")[0] == "gati" else []
    return found


def layer(name: str) -> int:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len, default=None)
    assert best is not None, f"{name} has no layer: add it to LAYERS in {__file__}"
    return LAYERS[best]


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize(("name", "path"), list(modules()), ids=lambda v: str(v))
def test_every_import_points_down_the_layers(name: str, path: Path) -> None:
    lazy = LAZY_UP.get(name, ())
    up = [imp for imp in gati_imports(path) if layer(imp) > layer(name) and not within(imp, lazy)]
    assert not up, f"{name} (layer {layer(name)}) imports higher layers: {up}"
    eager = [imp for imp in gati_imports(path, module_level=True) if within(imp, lazy)]
    assert not eager, f"{name} imports {eager} at module level: only inside the method using it"


def test_leaves_import_nothing_from_gati_but_tables() -> None:
    for name, path in modules():
        if within(name, LEAVES):
            assert set(gati_imports(path)) <= {"gati._tables"}, name


def test_the_pure_twins_import_only_leaves() -> None:
    for name, path in modules():
        if within(name, ("gati._pure",)):
            others = [i for i in gati_imports(path) if not within(i, (*LEAVES, "gati._pure"))]
            assert not others, f"{name} imports {others}"


def test_only_the_registry_names_the_twins() -> None:
    for name, path in modules():
        if name == "gati._backend" or within(name, TWINS):
            continue
        named = [i for i in gati_imports(path) if within(i, TWINS)]
        assert not named, f"{name} imports {named}: ask gati._backend.twin() instead"


def test_the_registry_does_not_import_the_gati_package() -> None:
    path = PACKAGE / "_backend.py"
    assert "gati" not in gati_imports(path)
    assert not [i for i in gati_imports(path) if not within(i, TWINS)]


def test_context_does_not_import_the_lifecycle() -> None:
    """The hook record both use is the leaf ``gati.hook``: no context ⇄ lifecycle cycle."""
    for name, path in modules():
        if within(name, ("gati.context",)):
            assert not [i for i in gati_imports(path) if within(i, ("gati.lifecycle",))], name


def test_only_the_package_itself_imports_from_the_package() -> None:
    """``from gati import x`` inside gati runs ``gati/__init__`` (and the whole API) first."""
    for name, path in modules():
        if name != "gati":
            assert "gati" not in gati_imports(path), name


def test_the_lifecycle_uses_the_contexts_public_slots() -> None:
    """The orchestrator owns the hook position through ``hook_index``, reads local hooks
    through ``extras_if_made`` and moves the phase through ``current_phase`` (or ``advance``):
    never a private attribute of the context."""
    tree = ast.parse((PACKAGE / "lifecycle" / "orchestrator.py").read_text())
    private = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "lctx"
        and node.attr.startswith("_")
    ]
    assert not private, private


def is_meta_field(target: ast.expr, fields: set[str]) -> bool:
    """``m.<field> = …``, ``meta.<field> = …`` or ``….meta.<field> = …``."""
    if not isinstance(target, ast.Attribute) or target.attr not in fields:
        return False
    owner = target.value
    return (isinstance(owner, ast.Name) and owner.id in ("m", "meta")) or (
        isinstance(owner, ast.Attribute) and owner.attr == "meta"
    )


def test_meta_fields_are_written_in_one_place() -> None:
    """``made_meta`` is the one writer of a request's ``Meta`` (``lctx.meta`` makes it on
    first read, from what ``LocalContext.routed`` or ``LocalContext()`` kept): no second
    constructor copies the fields one by one."""
    fields = {"request_id", "method", "path", "route", "handler_id", "version", "flags", "_client"}
    writes: dict[str, list[str]] = {}
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    parts = target.elts if isinstance(target, ast.Tuple) else [target]
                    for part in parts:
                        if is_meta_field(part, fields):
                            assert isinstance(part, ast.Attribute)
                            writes.setdefault(part.attr, []).append(f"{name}:{node.lineno}")
    assert set(writes) == fields, writes
    assert all(len(places) == 1 for places in writes.values()), writes
    assert {place.split(":")[0] for places in writes.values() for place in places} == {
        "gati.context.meta"
    }
