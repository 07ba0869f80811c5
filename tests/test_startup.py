"""Start-up: ``import gati`` loads the package's public face and the backend only, each public
name loads its module on first use, and an app leaves the tools and the rarely used
dependencies unloaded.

Behaviour only, in fresh interpreters; the wall time and memory are benches/startup.py's.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import gati

INIT = Path(gati.__file__)

# What ``import gati`` alone used to load (the event loop and its ssl, Starlette and what it
# pulls in, the JSON library, the extension, the schema compiler).
HEAVY = (
    "asyncio",
    "ssl",
    "starlette",
    "anyio",
    "http.client",
    "email",
    "decimal",
    "urllib.request",
    "pathlib",
    "logging",
    "orjson",
    "typing",
    "gati.app",
    "gati.gtype",
    "gati.http",
)
# What an app does not need until it uses one: the tools, the schema tools, the JWKS fetch,
# the directory secrets provider, and the optional integrations.
NOT_FOR_AN_APP = (
    "gati.manifest",
    "gati.playground",
    "gati.telemetry",
    "gati.testing",
    "gati.cli",
    "gati.gtype.from_type",
    "gati.gtype.diff",
    "gati.gtype.jsonschema",
    "annotated_types",
    "urllib.request",
    "pathlib",
    "jinja2",
    "rich",
    "httpx",
    "jwt",
    "redis",
    "opentelemetry",
)


def loaded(statement: str, names: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """After ``statement`` in a fresh interpreter: which of ``names`` are imported, and every
    gati module that is."""
    probe = (
        f"import sys\n{statement}\n"
        f"print(sorted(n for n in {names!r} if n in sys.modules))\n"
        "print(sorted(n for n in sys.modules if n == 'gati' or n.startswith('gati.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    found, modules = out.splitlines()
    return ast.literal_eval(found), ast.literal_eval(modules)


def test_import_gati_loads_only_the_package_and_the_backend() -> None:
    found, modules = loaded("import gati", HEAVY)
    assert found == []
    assert set(modules) - {"gati._native"} == {"gati", "gati._backend"}


def test_an_app_loads_neither_the_tools_nor_the_rarely_used_dependencies() -> None:
    found, modules = loaded("from gati import App, gt\napp = App()", NOT_FOR_AN_APP)
    assert found == []
    assert "gati.app" in modules


def test_every_public_name_is_its_modules_object() -> None:
    for name in gati._HOMES:
        home = gati._HOMES[name]
        assert getattr(gati, name) is getattr(importlib.import_module(home), name), name


def test_the_public_names_are_listed_once_for_python_and_for_type_checkers() -> None:
    """``__all__``, the table ``__getattr__`` reads and the imports type checkers see agree."""
    checked: dict[str, str] = {}
    for node in ast.parse(INIT.read_text()).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module is not None
                if imp.module != "typing":
                    checked.update((alias.name, imp.module) for alias in imp.names)
    assert checked == gati._HOMES
    assert sorted(gati.__all__) == sorted([*gati._HOMES, "backend"])  # backend: imported now
    assert set(gati.__all__) <= set(dir(gati))


def test_star_import_gives_every_public_name_and_unknown_names_are_attribute_errors() -> None:
    namespace: dict[str, object] = {}
    exec("from gati import *", namespace)
    assert set(gati.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        gati.Nope  # noqa: B018
