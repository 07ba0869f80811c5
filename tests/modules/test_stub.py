"""``stub(manifest)``: typed module stubs for editors and mypy (Properties 4 and 28)."""

from __future__ import annotations

import inspect
import keyword
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gati import gt
from gati.modules import Method, ModuleManifest, stub
from tests.modules.sample import USERS

SCALARS = {
    "str": gt.string(),
    "int": gt.integer(),
    "float": gt.number(),
    "bool": gt.boolean(),
    "list[str]": gt.array(gt.string()),
    "dict[str, int]": gt.record(gt.integer()),
    "Literal['a', 'b']": gt.literal("a", "b"),
    "int | None": gt.integer(nullable=True),
}
names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and n not in ("self",)
)
params = st.dictionaries(
    names, st.tuples(st.sampled_from(sorted(SCALARS)), st.booleans()), max_size=5
)


def _load(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<stub>", "exec"), namespace)
    return namespace


@given(st.dictionaries(names, st.tuples(params, st.sampled_from(sorted(SCALARS))), max_size=4))
@settings(max_examples=60, deadline=None)
def test_a_stub_declares_every_method_with_its_arguments_and_result_property_4(
    spec: dict[str, tuple[dict[str, tuple[str, bool]], str]],
) -> None:
    """Property 4: the stub names each method, its keyword arguments (required ones without a
    default) with their Python types, and its result type."""
    methods = {
        name: Method(
            input=gt.object(
                {p: gt.optional(SCALARS[t]) if opt else SCALARS[t] for p, (t, opt) in args.items()}
            ),
            output=SCALARS[result],
        )
        for name, (args, result) in spec.items()
    }
    source = stub(ModuleManifest("svc", version="2.0.0", methods=methods))
    cls = _load(source)["SvcModule"]
    for name, (args, result) in spec.items():
        fn = getattr(cls, name)
        assert inspect.iscoroutinefunction(fn)
        sig = inspect.signature(fn)
        assert sig.return_annotation == result
        declared = {p.name: p for p in sig.parameters.values() if p.name != "self"}
        assert set(declared) == set(args)
        for p, (t, optional) in args.items():
            assert declared[p].kind is inspect.Parameter.KEYWORD_ONLY
            assert declared[p].annotation == t
            assert (declared[p].default is inspect.Parameter.empty) is not optional


def test_object_results_become_typeddicts_property_28() -> None:
    """Property 28: a stub's types describe exactly what the module returns."""
    source = stub(USERS)
    namespace = _load(source)
    result = namespace["UsersFindUserResult0"]
    assert result.__required_keys__ == {"id", "name", "tags"}
    sig = inspect.signature(namespace["UsersModule"].find_user)
    assert sig.return_annotation == "UsersFindUserResult0 | None"


def test_mypy_checks_calls_against_the_stub_property_28(tmp_path: Path) -> None:
    """Property 28: mypy accepts a well-typed call and rejects wrong arguments and results."""
    from mypy import api

    (tmp_path / "users_stub.py").write_text(stub(USERS))
    (tmp_path / "caller.py").write_text(
        "from users_stub import UsersModule\n"
        "async def good(users: UsersModule) -> str | None:\n"
        "    user = await users.find_user(id=7)\n"
        "    return None if user is None else user['name']\n"
        "async def bad(users: UsersModule) -> int:\n"
        "    await users.find_user(id='7')\n"
        "    await users.find_user(ident=7)\n"
        "    return await users.rename(id=1, name='x')\n"
    )
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir=/dev/null", str(tmp_path / "caller.py")]
    )
    assert status == 1
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert [int(line.split(":")[1]) for line in errors] == [6, 7, 8], out
