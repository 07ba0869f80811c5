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


def test_the_production_module_has_no_test_entry_points() -> None:
    assert not hasattr(native, "_panic_for_test")


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


SMALL_STACK_THREAD = """
import json, threading
from gati import ValidationError, gt
from gati.gtype._plan import make_plan
from gati._native import Validator

N = gt.union(gt.integer(), gt.array(gt.ref("N")), name="N")
T = gt.object({"a": gt.optional(gt.ref("T")), "b": gt.integer()}, name="T")
outcomes = []

def run():
    deep_list, deep_obj = 0, {"b": 1}
    for _ in range(20_000):
        deep_list, deep_obj = [deep_list], {"a": deep_obj, "b": 1}
    for schema, value in ((N, deep_list), (T, deep_obj)):
        plan = make_plan(schema.core(), max_depth=1000)
        plan["max_depth"] = 100_000  # past the planner's bound: the native guard alone
        v = Validator(plan)
        for call in (lambda: v.validate(value), lambda: v.validate_json(json.dumps(value))):
            try:
                call()
            except ValidationError as exc:
                outcomes.append("invalid")
            except RecursionError:
                outcomes.append("recursion")  # the standard json module, not gati

threading.stack_size(512 * 1024)
t = threading.Thread(target=run)
t.start()
t.join()
print(sorted(set(outcomes)))
"""


def test_deep_input_in_a_small_stack_thread_is_an_error_not_a_crash() -> None:
    """A huge max_depth does not let validation overrun a thread's (512 KiB) stack."""
    out = subprocess.run(
        [sys.executable, "-c", SMALL_STACK_THREAD], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "invalid" in out.stdout


def test_a_malformed_plan_is_refused_not_a_crash() -> None:
    members = [node("string"), node("integer")]
    bad = node("union", members=members, discriminator="k", mapping={"a": 5})
    with pytest.raises(ValueError, match="member 5"):
        native.Validator(plan(bad))
