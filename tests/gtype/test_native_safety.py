"""The native engine never crashes the interpreter: panics, deep inputs, a missing extension."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gati import ValidationError
from tests.gtype.plans import node, plan

native = pytest.importorskip("gati._native")

DEEP = 10_000


def test_a_panic_becomes_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="deliberate panic"):
        native._panic_for_test()


def tree_validator() -> Any:
    definitions = {"Tree": node("array", items=node("ref", name="Tree"))}
    return native.Validator(plan(node("ref", name="Tree"), definitions=definitions))


def test_ten_thousand_deep_list_is_depth_exceeded() -> None:
    value: list[Any] = []
    for _ in range(DEEP):
        value = [value]
    with pytest.raises(ValidationError) as info:
        tree_validator().validate(value)
    [err] = info.value.errors()
    assert err["code"] == "depth_exceeded"
    assert err["path"] == (0,) * 256


def test_ten_thousand_deep_json_is_depth_exceeded_at_root() -> None:
    for doc in (b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP):
        with pytest.raises(ValidationError) as info:
            tree_validator().validate_json(doc)
        assert [(e["path"], e["code"]) for e in info.value.errors()] == [((), "depth_exceeded")]


def test_unbounded_schema_recursion_stops_without_a_crash() -> None:
    # A ref that reaches itself through intersections never enters a container.
    loop = {"L": node("intersection", members=[node("ref", name="L")])}
    v = native.Validator(plan(node("ref", name="L"), definitions=loop, max_depth=100_000))
    with pytest.raises(ValidationError) as info:
        v.validate(1)
    assert [e["code"] for e in info.value.errors()] == ["depth_exceeded"]


def test_native_backend_without_the_extension_is_a_clear_import_error(tmp_path: Path) -> None:
    package = Path(native.__file__).parent
    shutil.copytree(package, tmp_path / "gati", ignore=shutil.ignore_patterns("_native*"))
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import gati"
    env = {**os.environ, "GATI_BACKEND": "native"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0
    assert "ImportError: GATI_BACKEND=native but the gati._native extension cannot be imported" in (
        out.stderr
    )
