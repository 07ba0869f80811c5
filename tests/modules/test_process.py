"""Process modules: JSON-RPC 2.0 to a real child process, supervised by the app."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings

from gati import App, StartupError, gt
from gati.fabric import Message
from gati.modules import Method, ModuleError, ModuleManifest, ModuleTimeout, ModuleUnavailable
from gati.modules.errors import INVALID_PARAMS, OUTPUT_INVALID
from gati.testing import AsyncTestClient
from tests.fabric.conftest import until
from tests.modules.sample import USERS, command, process_manifest
from tests.modules.test_calls import json_values

CLOCK = ModuleManifest("clock", methods={"now": Method(input=gt.object({}), output=gt.string())})


class Clock:
    async def now(self) -> str:
        return "12:00"


async def users_app(transport: str = "stdio") -> App:
    app = App()
    app.module(USERS, command=command(), transport=transport)
    app.module(CLOCK, Clock())
    await app.gctx.startup()
    return app


@pytest.fixture
async def app(request: pytest.FixtureRequest) -> AsyncIterator[App]:
    """The started users app (over stdio, or the transport given as the fixture's parameter),
    shut down after the test."""
    started = await users_app(getattr(request, "param", "stdio"))
    yield started
    await started.gctx.shutdown()


@pytest.mark.parametrize("app", ["stdio", "unix"], indirect=True)
async def test_a_process_module_answers_typed_calls(app: App) -> None:
    users = app.gctx.modules.users
    assert await users.find_user(id=1) == {"id": 1, "name": "ada", "tags": []}
    assert await users.find_user(id=99) is None
    assert await users.pid() != os.getpid()


def test_values_cross_the_process_boundary_unchanged_property_18() -> None:
    """Property 18: arguments and results are serialised across the boundary losslessly."""
    loop = asyncio.new_event_loop()
    app = loop.run_until_complete(users_app())

    @given(json_values)
    @settings(max_examples=150, deadline=None)
    def crosses_unchanged(value: Any) -> None:
        assert loop.run_until_complete(app.gctx.modules.users.echo(value=value)) == value

    try:
        crosses_unchanged()
    finally:
        loop.run_until_complete(app.gctx.shutdown())
        loop.close()


async def test_the_child_validates_arguments_and_results_too_property_18(app: App) -> None:
    """Property 18: the module side checks what arrives and what it sends."""
    with pytest.raises(ModuleError) as bad_in:
        await app.modules["users"].invoke("find_user", {"id": "seven"}, 2.0)  # bypasses gati
    assert bad_in.value.code == INVALID_PARAMS
    with pytest.raises(ModuleError) as bad_out:
        await app.gctx.modules.users.bad_output()
    assert bad_out.value.code == OUTPUT_INVALID


async def test_remote_errors_and_timeouts_reach_the_caller(app: App) -> None:
    users = app.gctx.modules.users
    with pytest.raises(ModuleError) as info:
        await users.fail(code=3)
    assert (info.value.module, info.value.method, info.value.code) == ("users", "fail", 4001)
    assert info.value.message == "AppError: failure 3"
    with pytest.raises(ModuleTimeout):
        await users.sleep(seconds=3)
    assert await users.find_user(id=2) is not None  # the module is still fine


async def test_a_killed_module_is_restarted_and_calls_resume(app: App) -> None:
    users, runtime = app.gctx.modules.users, app.modules["users"]
    first = await users.pid()
    os.kill(first, signal.SIGKILL)
    # find_user is idempotent with retries: it waits for the restarted child
    assert await users.find_user(id=1) is not None
    assert await users.pid() != first
    assert runtime.restarts == 1
    assert (await app.gctx.health())["checks"]["module:users"] == {"status": "healthy"}


async def test_health_reports_a_module_that_is_down(app: App) -> None:
    runtime = app.modules["users"]
    runtime.backoff = type(runtime.backoff)(base=1.0, factor=1.0, cap=1.0)
    os.kill(await app.gctx.modules.users.pid(), signal.SIGKILL)
    await until(lambda: runtime.health() == "unhealthy")
    report = await app.gctx.health()
    assert report["status"] == "degraded"  # not critical: the app still serves
    assert report["checks"]["module:users"]["status"] == "unhealthy"
    await until(lambda: runtime.health() == "healthy")


async def test_malformed_json_rpc_fails_that_call_and_restarts_the_module(app: App) -> None:
    users = app.gctx.modules.users
    before = await users.pid()
    with pytest.raises(ModuleUnavailable, match="malformed JSON-RPC"):
        await users.garble()
    assert await app.gctx.modules.clock.now() == "12:00"  # the app is unaffected
    assert await users.find_user(id=1) is not None
    assert await users.pid() != before


async def test_reload_replaces_the_child_without_restarting_the_app(app: App) -> None:
    before = await app.gctx.modules.users.pid()
    await app.modules.reload("users")
    assert await app.gctx.modules.users.pid() != before
    assert app.modules["users"].restarts == 0


async def test_shutdown_stops_the_child() -> None:
    app = await users_app()
    pid = await app.gctx.modules.users.pid()
    await app.gctx.shutdown()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ModuleUnavailable, match="not started"):
        await app.gctx.modules.users.find_user(id=1)


@pytest.mark.parametrize(
    ("which", "error"),
    [
        ("wrong-version", "expected 'users' '1.0.0'"),
        ("crash-on-start", "did not start: it exited"),
        ("fail-start", "RuntimeError: no database"),
    ],
)
async def test_a_module_that_cannot_start_aborts_start_up(which: str, error: str) -> None:
    app = App()
    app.module(USERS, command=command(which))
    with pytest.raises(StartupError, match=error):
        await app.gctx.startup()


async def test_a_process_module_uses_its_capabilities_through_the_app_property_19(app: App) -> None:
    """Property 19: a process module reaches the app only through declared capabilities,
    and the app checks each request again."""
    got: list[Message] = []
    await app.gctx.subscribe("announcements", got.append)
    users = app.gctx.modules.users
    assert await users.announce(text="hi") is not None
    await until(lambda: len(got) == 1)
    assert got[0].payload == {"text": "hi"}
    assert await users.now() == "12:00"  # modules:call:clock
    with pytest.raises(ModuleError, match=r"CapabilityError.*secrets:read"):
        await users.secret()  # refused in the child by its context
    with pytest.raises(ModuleError, match=r"CapabilityError.*secrets:read"):
        await users.raw_secret()  # refused by the app


async def test_a_module_killed_under_load_leaves_the_other_modules_serving() -> None:
    app = App()
    app.module(USERS, command=command("users"))
    app.module(process_manifest("accounts"), command=command("accounts"))
    outcomes: dict[str, list[int]] = {"users": [], "accounts": []}

    @app.get("/{module}/{id:int}")
    async def show(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        module = gctx.modules[req.path_params["module"]]
        return await module.find_user(id=req.path_params["id"])

    async with AsyncTestClient(app) as client:

        async def hammer(module: str, n: int) -> None:
            for i in range(n):
                r = await client.get(f"/{module}/{1 + i % 2}")
                outcomes[module].append(r.status_code)

        victim = await app.gctx.modules.users.pid()
        load = [asyncio.ensure_future(hammer(m, 60)) for m in ("users", "accounts") * 3]
        await until(lambda: len(outcomes["users"]) > 20)
        os.kill(victim, signal.SIGKILL)
        await asyncio.gather(*load)
        assert (await client.get("/users/1")).status_code == 200
    assert outcomes["accounts"] == [200] * 180
    assert outcomes["users"].count(200) >= 170  # idempotent calls ride out the restart
    assert set(outcomes["users"]) <= {200, 500}
    assert app.modules["users"].restarts == 1 and app.modules["accounts"].restarts == 0


def test_the_sample_module_command_uses_this_interpreter() -> None:
    assert command()[0] == sys.executable


async def test_outgoing_headers_reach_the_module_beside_the_arguments(app: App) -> None:
    from gati.modules.rpc import OUTGOING_HEADERS

    users = app.gctx.modules.users
    assert await users.headers() is None
    token = OUTGOING_HEADERS.set({"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"})
    try:
        got = await users.headers()
    finally:
        OUTGOING_HEADERS.reset(token)
    assert got == {"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"}
    assert await users.headers() is None  # nothing leaks into the next call


async def test_arguments_that_are_not_json_are_a_clear_error(app: App) -> None:
    with pytest.raises(ModuleError, match="not JSON") as info:
        await app.gctx.modules.users.echo(value={1, 2})
    assert info.value.code == INVALID_PARAMS
    assert await app.gctx.modules.users.echo(value=[1, 2]) == [1, 2]  # still serving


async def test_shutdown_lets_the_module_stop_gracefully(tmp_path: Any) -> None:
    marker = tmp_path / "stopped"
    app = App()
    app.module(USERS, command=command(), env={**os.environ, "SAMPLE_STOP_FILE": str(marker)})
    await app.gctx.startup()
    assert await app.gctx.modules.users.find_user(id=1) is not None
    await app.gctx.shutdown()
    assert marker.read_text() == "stopped"
