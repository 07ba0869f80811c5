"""Typed calls to in-process modules: validation both ways (Property 18), timeouts, retries,
``ModuleError``, and the restricted context (Property 19)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, ValidationError, gt
from gati.modules import (
    CapabilityError,
    Method,
    ModuleError,
    ModuleManifest,
    ModuleTimeout,
    ModuleUnavailable,
)
from gati.modules.errors import OUTPUT_INVALID
from gati.secrets import Secret
from gati.testing import AsyncTestClient, assert_compatible
from tests.modules.sample import INPROCESS, USERS, User, Users

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


async def started(app: App) -> App:
    await app.gctx.startup()
    return app


def users_app(impl: Users) -> App:
    """An app serving ``impl`` as the in-process users module."""
    app = App()
    app.module(INPROCESS, impl)
    return app


@given(
    st.builds(
        lambda i, n, t: {"id": i, "name": n, "tags": t},
        st.integers(1, 10**9),
        st.text(min_size=1, max_size=20),
        st.lists(st.text(max_size=5), max_size=3),
    )
)
@settings(max_examples=50, deadline=None)
def test_valid_arguments_and_results_cross_unchanged_property_18(user: dict[str, Any]) -> None:
    """Property 18: a valid call's arguments and result are delivered equal to what was sent
    and survive JSON serialisation unchanged."""

    async def run() -> Any:
        app = await started(App())
        app.module(INPROCESS, Users())
        await app.gctx.startup()
        got = await app.gctx.modules.users.rename(id=user["id"], name=user["name"])
        assert got == {"id": user["id"], "name": user["name"], "tags": []}
        assert orjson.loads(orjson.dumps(got)) == got
        return got

    asyncio.run(run())


@given(json_values)
@settings(max_examples=100, deadline=None)
def test_any_json_value_round_trips_through_echo_property_18(value: Any) -> None:
    """Property 18: JSON values cross an ``any`` method unchanged."""

    async def run() -> None:
        app = users_app(Users())
        assert await app.gctx.modules.users.echo(value=value) == value

    asyncio.run(run())


async def test_invalid_arguments_never_reach_the_module_property_18() -> None:
    """Property 18: arguments are validated before the call; results after it."""
    impl = Users()
    app = users_app(impl)
    with pytest.raises(ValidationError) as info:
        await app.gctx.modules.users.find_user(id=0)
    assert info.value.errors()[0]["path"] == ("id",)
    with pytest.raises(ValidationError):
        await app.gctx.modules.users.find_user(id=1, extra="no")  # unknown keyword
    with pytest.raises(ValidationError):
        await app.gctx.modules.users.find_user()
    assert impl.calls == 0
    with pytest.raises(ModuleError) as bad:
        await app.gctx.modules.users.bad_output()
    assert bad.value.code == OUTPUT_INVALID and bad.value.method == "bad_output"


async def test_a_module_error_carries_module_method_code_and_message_and_is_not_retried() -> None:
    impl = Users()
    app = users_app(impl)
    with pytest.raises(ModuleError) as info:
        await app.gctx.modules.users.fail(code=9)
    err = info.value
    assert (err.module, err.method, err.code) == ("users", "fail", 4001)
    assert err.message == "AppError: failure 9"
    assert impl.calls == 1  # retries=3, but application errors are never retried


async def test_a_call_past_its_timeout_raises_module_timeout() -> None:
    app = users_app(Users())
    with pytest.raises(ModuleTimeout) as info:
        await app.gctx.modules.users.sleep(seconds=5)
    assert info.value.code == -32001 and isinstance(info.value, TimeoutError)


class Flaky:
    """Fails with a transport error ``failures`` times, then answers."""

    def __init__(self, failures: int, exc: type[BaseException]) -> None:
        self.failures = failures
        self.exc = exc
        self.calls = 0

    async def invoke(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            if self.exc is ModuleUnavailable:
                raise ModuleUnavailable("m", method, "down", sent=True)
            raise ModuleTimeout("m", method, timeout)
        return params["x"]


@pytest.mark.parametrize(
    ("idempotent", "exc", "calls"),
    [
        (True, ModuleUnavailable, 3),  # retried up to retries=2
        (False, ModuleUnavailable, 1),  # sent: maybe ran, not repeated
        (True, ModuleTimeout, 3),
        (False, ModuleTimeout, 1),
    ],
)
async def test_retries_only_where_repeating_is_safe(
    idempotent: bool, exc: type[BaseException], calls: int
) -> None:
    from gati.modules.calls import MethodCaller

    method = Method(
        input=gt.object({"x": gt.integer()}), output=gt.integer(), idempotent=idempotent, retries=2
    )
    flaky = Flaky(2, exc)
    caller = MethodCaller("m", "get", method, flaky)  # type: ignore[arg-type]
    if calls == 3:
        assert await caller(x=5) == 5
    else:
        with pytest.raises(exc):
            await caller(x=5)
    assert flaky.calls == calls


async def test_an_unsent_request_is_retried_even_when_not_idempotent() -> None:
    from gati.modules.calls import MethodCaller

    class Unsent(Flaky):
        async def invoke(self, method: str, params: dict[str, Any], timeout: float) -> Any:
            self.calls += 1
            if self.calls == 1:
                raise ModuleUnavailable("m", method, "restarting", sent=False)
            return params["x"]

    method = Method(input=gt.object({"x": gt.integer()}), output=gt.integer(), retries=1)
    unsent = Unsent(0, ModuleUnavailable)
    assert await MethodCaller("m", "set", method, unsent)(x=1) == 1  # type: ignore[arg-type]
    assert unsent.calls == 2


class Probe:
    """An in-process module that tries each capability through its context."""

    ctx: Any = None

    async def start(self, ctx: Any) -> None:
        self.ctx = ctx

    async def use(self, what: str) -> Any:
        ctx = self.ctx
        if what == "secret":
            return (await ctx.secret("token")).get()
        if what == "publish":
            return await ctx.publish("events", {"from": ctx.id})
        if what == "subscribe":
            await ctx.subscribe("events", lambda m: None)
            return "ok"
        if what == "call":
            return await ctx.modules.users.find_user(id=1)
        if what == "metrics":
            await ctx.metrics.counter("probe.used")
            return "ok"
        if what == "http":
            return type(ctx.http).__name__
        return getattr(ctx, what)


USE = {"use": Method(input=gt.object({"what": gt.string()}), output=gt.any())}
ALL = ["secret", "publish", "subscribe", "call", "metrics", "http"]
NEEDS = {
    "secret": "secrets:read",
    "publish": "pubsub:publish",
    "subscribe": "pubsub:subscribe",
    "call": "modules:call:users",
    "metrics": "metrics:write",
    "http": "network:egress",
}


class Secrets:
    def get(self, name: str) -> Secret:
        return Secret(f"value-of-{name}")


@given(st.sets(st.sampled_from(ALL)))
@settings(max_examples=30, deadline=None)
def test_a_module_reaches_exactly_what_it_declared_property_19(granted: set[str]) -> None:
    """Property 19: each declared capability works; each undeclared one raises
    ``CapabilityError``, as does anything a module context does not offer."""

    async def run() -> None:
        app = App()
        app.gctx.__class__ = _WithSecrets  # a secrets manager on this Global Context
        app.module(INPROCESS, Users())
        manifest = ModuleManifest("probe", capabilities={NEEDS[g] for g in granted}, methods=USE)
        app.module(manifest, Probe())
        await app.gctx.startup()
        probe = app.gctx.modules.probe
        for what in ALL:
            if what in granted:
                assert await probe.use(what=what) is not None
            else:
                with pytest.raises(ModuleError) as info:
                    await probe.use(what=what)
                assert isinstance(info.value.__cause__, CapabilityError)
        for other in ("state", "config", "gctx", "lctx"):
            with pytest.raises(ModuleError) as info:
                await probe.use(what=other)
            assert isinstance(info.value.__cause__, CapabilityError)
        await app.gctx.shutdown()

    asyncio.run(run())


class _WithSecrets(type(App().gctx)):  # type: ignore[misc]
    __slots__ = ()

    @property
    def secrets(self) -> Secrets:
        return Secrets()


async def test_handlers_call_typed_modules_and_untyped_ones_still_work() -> None:
    app = App(modules={"db": {"kind": "plain"}})
    app.module(INPROCESS, Users())

    @app.get("/users/{id:int}")
    async def show(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        user = await gctx.modules.users.find_user(id=req.path_params["id"])
        return {"user": user, "db": gctx.modules.db["kind"]}

    async with AsyncTestClient(app) as client:
        got = (await client.get("/users/1")).json()
        health = (await client.get("/healthz")).json()
    assert got == {"user": {"id": 1, "name": "ada", "tags": []}, "db": "plain"}
    assert health["checks"]["module:users"] == {"status": "healthy"}


def test_an_unknown_method_is_a_clear_attribute_error() -> None:
    app = users_app(Users())
    with pytest.raises(AttributeError, match="no method 'find_users'"):
        app.gctx.modules.users.find_users  # noqa: B018


def test_assert_compatible_catches_contract_drift() -> None:
    handler = gt.object({"id": gt.integer(min=1)})
    assert_compatible(handler, USERS.methods["find_user"])
    assert_compatible(gt.object({"id": gt.integer(min=5)}), USERS.methods["find_user"].input)
    with pytest.raises(AssertionError, match="rejects values the handler accepts"):
        assert_compatible(gt.object({"id": gt.integer()}), USERS.methods["find_user"])
    with pytest.raises(AssertionError):
        assert_compatible(gt.object({"id": gt.string()}), USERS.methods["find_user"])
    assert User is not None


async def test_a_reloaded_module_does_not_keep_its_old_subscriptions() -> None:
    got: list[Any] = []

    class Listener:
        async def start(self, ctx: Any) -> None:
            await ctx.subscribe("news", lambda m: got.append(m.payload))

        async def use(self, what: str) -> Any:
            return what

    app = App()
    app.module(
        ModuleManifest("listener", capabilities=["pubsub:subscribe"], methods=USE), Listener()
    )
    await app.gctx.startup()
    await app.modules.reload("listener")
    await app.gctx.publish("news", 1)
    for _ in range(100):
        await asyncio.sleep(0.005)
    assert got == [1]
    await app.gctx.shutdown()
