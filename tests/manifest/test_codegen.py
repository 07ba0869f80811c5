"""Generated clients (Property 38): the Python client passes mypy --strict and talks to the
running app (sync, async, version pin, own transport); the TypeScript client passes
``tsc --noEmit`` and keeps discriminated unions exact."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import App, gt
from gati.manifest.codegen import generate_python, generate_typescript
from gati.testing import live_server

# Code generation and type checkers, not the backend: the Makefile runs it in one pass.
pytestmark = pytest.mark.once

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
GATI = str(Path(sys.executable).with_name("gati"))
MYPY = str(Path(sys.executable).with_name("mypy"))


def codegen(tmp_path: Path, app: str, lang: str) -> Path:
    out = tmp_path / lang
    done = subprocess.run([GATI, "codegen", app, "--lang", lang, "-o", str(out)], cwd=HERE,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def mypy_strict(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MYPY, "--strict", "--no-incremental", *files], cwd=folder,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


USAGE = """
from typing import assert_type
from client import Client, AsyncClient, ApiError
from client.client import Pet, Echo


def describe(pet: Pet) -> str:
    if pet["kind"] == "cat":
        return "meows" if pet["meows"] else "quiet"
    return f"barks {pet['barks'] + 1}"


def use(client: Client) -> None:
    echo = client.adopt_v1("tom", {"kind": "cat", "meows": True}, tag="x", n=1)
    assert_type(echo, Echo)
    for pet in client.list_pets():
        describe(pet)
"""


@pytest.mark.e2e
def test_the_python_client_type_checks_and_calls_the_live_app(tmp_path: Path) -> None:
    """Property 38: the generated client is typed (mypy --strict) and works against the app."""
    out = codegen(tmp_path, "pets_app:app", "python")
    (out / "usage.py").write_text(USAGE)
    checked = mypy_strict(out, "client", "usage.py")
    assert checked.returncode == 0, checked.stdout
    bad = USAGE.replace('pet["meows"] else', 'pet["barks"] else')
    (out / "usage.py").write_text(bad)
    assert mypy_strict(out, "usage.py").returncode == 1  # narrowing is exact
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    command = [sys.executable, "-m", "uvicorn", "pets_app:app", "--port", "{port}",
               "--log-level", "warning"]  # fmt: skip
    sys.path.insert(0, str(out))
    try:
        from client import ApiError, AsyncClient, Client  # type: ignore[import-not-found]

        with live_server(command, cwd=HERE, env=env, probe="/healthz") as server:
            sent: list[httpx.Request] = []

            class Recording(httpx.HTTPTransport):
                def handle_request(self, request: httpx.Request) -> httpx.Response:
                    sent.append(request)
                    return super().handle_request(request)

            client = Client(server.url, version="2025-01-01", transport=Recording())
            echo = client.adopt_v1("tom", {"kind": "dog", "barks": 2})
            assert echo == {"version": "2025-01-01", "pet": {"kind": "dog", "barks": 2}}
            assert sent[-1].headers["gati-version"] == "2025-01-01"
            assert client.list_pets()[0] == {"kind": "cat", "meows": True}
            with pytest.raises(ApiError) as failure:
                client.adopt_v1("tom", {"kind": "fish"})  # type: ignore[typeddict-item]
            assert failure.value.status == 400 and failure.value.problem["errors"]

            async def run() -> Any:
                async_client = AsyncClient(server.url)
                try:
                    return await async_client.list_pets()
                finally:
                    await async_client.aclose()

            assert len(asyncio.run(run())) == 2
            odd = 'a;b "c" \\ é'
            assert client.whoami(odd) == {"session": odd}
            assert client.whoami("s1", theme="dark") == {"session": "s1", "theme": "dark"}
            client.close()
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "client" or n.startswith("client.")]:
            del sys.modules[name]


TS_USAGE = """
import { Client, Pet, ApiError } from "./client";

export function describe(pet: Pet): string {
  switch (pet.kind) {
    case "cat": return pet.meows ? "meows" : "quiet";
    case "dog": return `barks ${pet.barks + 1}`;
  }
}

export async function use(client: Client): Promise<number> {
  const echo = await client.adopt_v1("tom", { kind: "cat", meows: true }, { tag: "x" });
  const pets: Pet[] = await client.list_pets();
  if (echo.version === null) throw new ApiError(0, null);
  return pets.length + echo.version.length;
}
"""


def tsc(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tsc", "--noEmit", "-p", "."], cwd=folder, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_the_typescript_client_type_checks_with_exact_unions(tmp_path: Path) -> None:
    out = codegen(tmp_path, "pets_app:app", "ts")
    (out / "usage.ts").write_text(TS_USAGE)
    config = (out / "tsconfig.json").read_text().replace('"client.ts"', '"client.ts", "usage.ts"')
    (out / "tsconfig.json").write_text(config)
    done = tsc(out)
    assert done.returncode == 0, done.stdout
    (out / "usage.ts").write_text(TS_USAGE.replace("pet.meows ?", "pet.barks ?"))
    wrong = tsc(out)
    assert wrong.returncode != 0 and "barks" in wrong.stdout


def test_the_demo_clients_type_check(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from examples.bookstore import create_app

        document = create_app().openapi()
    finally:
        sys.path.remove(str(ROOT))
    files = generate_python(document, "bookstore")
    files.update({f"ts/{k}": v for k, v in generate_typescript(document).items()})
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert mypy_strict(tmp_path, "bookstore").returncode == 0
    assert tsc(tmp_path / "ts").returncode == 0


_leaf = st.sampled_from([gt.string(), gt.integer(), gt.number(), gt.boolean(),
                         gt.literal("a", "b"), gt.string(nullable=True)])  # fmt: skip
_schema = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(gt.array, inner),
        st.dictionaries(st.from_regex(r"[a-z][a-z-]{0,5}", fullmatch=True), inner, max_size=3).map(
            gt.object
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda ms: gt.union(*ms)),
        inner.map(gt.record),
    ),
    max_leaves=6,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_schema, _schema), min_size=1, max_size=3))
def test_clients_for_generated_apps_compile(routes: list[tuple[Any, Any]]) -> None:
    """Property 38: any app's document gives a Python client that compiles and imports."""
    app = App(openapi_path="/spec.json", docs_path=None, health_paths=None)

    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        return None

    for i, (request, response) in enumerate(routes):
        app.post(f"/r{i}/{{id:int}}", request=request, response=response, id=f"op-{i}")(handler)
    files = generate_python(app.openapi(), "generated")
    namespace: dict[str, Any] = {}
    exec(compile(files["generated/client.py"], "client.py", "exec"), namespace)
    assert {"Client", "AsyncClient", "ApiError"} <= set(namespace)
    assert all(hasattr(namespace["Client"], f"op_{i}") for i in range(len(routes)))


TS_RUN = """
import { Client, ApiError } from "./client";

async function main(): Promise<void> {
  const client = new Client(process.argv[2], { version: "2025-01-01" });
  const echo = await client.adopt_v1("tom", { kind: "dog", barks: 2 }, { tag: "x" });
  const pets = await client.list_pets();
  let status = 0;
  try {
    await client.adopt_v1("tom", { kind: "cat", meows: "loud" as unknown as boolean });
  } catch (error) {
    if (error instanceof ApiError) status = error.status;
  }
  const plain = await client.whoami({ session: "s1", theme: "dark" });
  const odd = await client.whoami({ session: 'a;b "c" \\\\ é' });
  console.log(JSON.stringify({ echo, pets, status, plain, odd }));
}

main();
"""


@pytest.mark.e2e
def test_the_typescript_client_calls_the_live_app(tmp_path: Path) -> None:
    out = codegen(tmp_path, "pets_app:app", "ts")
    (out / "run.ts").write_text(TS_RUN + "declare const process: { argv: string[] };\n")
    build = subprocess.run(
        ["tsc", "--strict", "--target", "es2020", "--module", "commonjs", "--lib", "es2020,dom",
         "--outDir", "js", "client.ts", "run.ts"],
        cwd=out, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    command = [sys.executable, "-m", "uvicorn", "pets_app:app", "--port", "{port}",
               "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=HERE, env=env, probe="/healthz") as server:
        ran = subprocess.run(["node", "js/run.js", server.url], cwd=out, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    import json

    result = json.loads(ran.stdout)
    assert result["echo"] == {"version": "2025-01-01", "pet": {"kind": "dog", "barks": 2}}
    assert [p["kind"] for p in result["pets"]] == ["cat", "dog"]
    assert result["status"] == 400
    assert result["plain"] == {"session": "s1", "theme": "dark"}
    assert result["odd"] == {"session": 'a;b "c" \\ é'}
