"""The backend registry: one place picks native or pure, for every twin pair, never silently."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gati
from gati import _backend
from gati._backend import TWINS, pair, twin

PACKAGE = Path(gati.__file__).parent


@pytest.mark.parametrize("name", sorted(TWINS))
def test_every_twin_comes_from_the_active_backend(name: str) -> None:
    native_name, pure_ref = TWINS[name]
    module, _, attribute = pure_ref.partition(":")
    pure = getattr(importlib.import_module(module), attribute)
    if gati.backend() == "native":
        assert twin(name) is getattr(importlib.import_module("gati._native"), native_name)
        assert twin(name) is not pure
    else:
        assert twin(name) is pure


def test_every_pure_twin_lives_in_the_pure_package() -> None:
    for native_name, pure_ref in TWINS.values():
        assert pure_ref.startswith("gati._pure."), pure_ref
        assert not native_name.startswith("gati"), native_name


def test_the_layers_above_use_the_registered_twins() -> None:
    from gati.context import ids, store
    from gati.gtype import validator
    from gati.http import ingress, routing, sender
    from gati.lifecycle import plan

    assert validator.Validator is twin("Validator")
    assert store.StateStore is twin("StateStore")
    assert store.StateSnapshot is twin("StateSnapshot")
    assert store.copy_value is twin("copy_value")
    assert plan._plan_hooks is twin("plan_hooks")
    assert type(routing.make_router()) is twin("Router")
    assert ingress.read_ingress_head is twin("read_ingress_head")
    assert ingress.new_ingress is twin("Ingress")
    assert sender.response_messages is twin("response_messages")
    assert ids.new_request_id is twin("new_request_id")


def test_pair_gives_both_sides_for_differential_tests() -> None:
    native = pytest.importorskip("gati._native")
    n, p = pair("Router")
    assert n is native.Router
    assert p.__module__ == "gati._pure.router"


def test_an_unknown_twin_is_a_key_error_that_says_where_to_register() -> None:
    with pytest.raises(KeyError, match="TWINS"):
        twin("Nope")


def run_with_native_stub(tmp_path: Path, stub: str, backend: str = "native") -> str:
    """Import a copy of gati whose extension is replaced by ``stub`` (Python source)."""
    shutil.copytree(PACKAGE, tmp_path / "gati", ignore=shutil.ignore_patterns("_native*"))
    (tmp_path / "gati" / "_native.py").write_text(stub)
    code = (  # App: the public names load on first use, and App loads every twin
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
        "from gati import App, backend; print(backend())"
    )
    env = {**os.environ, "GATI_BACKEND": backend}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    return out.stdout + out.stderr


def test_a_native_backend_missing_a_twin_is_an_import_error_not_a_fallback(
    tmp_path: Path,
) -> None:
    """Every native twin but the validator: gati refuses to start instead of quietly using the
    pure validator (what ``gtype/validator.py`` once did)."""
    stub = "\n".join(  # classes: gati.Snapshot's views are set on its twin at import
        f"class {native_name}:\n    def __init__(self, *a): pass"
        for native_name, _ in TWINS.values()
    )
    stub += "\ndel Validator\n"
    out = run_with_native_stub(tmp_path, stub)
    assert "ImportError: gati._native has no 'Validator'" in out, out


def test_the_pure_backend_never_loads_the_extension(tmp_path: Path) -> None:
    out = run_with_native_stub(tmp_path, "raise SystemExit('the extension was imported')", "pure")
    assert out.strip() == "pure", out


def test_the_registry_module_imports_no_part_of_gati_but_the_twins() -> None:
    source = (PACKAGE / "_backend.py").read_text()
    assert "from gati import" not in source
    assert gati.backend() == _backend.BACKEND
