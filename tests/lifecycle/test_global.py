"""GlobalContext: read-only config (Property 32), modules, shared state, lifespan, health."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import GlobalContext, ModuleNotFoundError, StartupError

configs = st.recursive(
    st.none() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.sets(st.integers(), max_size=3)
    ),
    max_leaves=10,
)


def writes(obj: Any) -> list[Any]:
    """Every write a user might try on ``obj``."""
    if isinstance(obj, tuple):
        ws = [lambda: obj.append(1), lambda: obj.extend([1]), lambda: obj.clear()]
        ws += [lambda: obj.insert(0, 1), lambda: obj.sort(), lambda: obj.reverse()]
        if obj:
            ws += [lambda: obj.__setitem__(0, 1), lambda: obj.pop()]
        return ws
    if isinstance(obj, frozenset):
        return [
            lambda: obj.add(1),
            lambda: obj.discard(1),
            lambda: obj.clear(),
            lambda: obj.update({1}),
        ]
    if hasattr(obj, "keys"):
        return [
            lambda: obj.__setitem__("k", 1),
            lambda: obj.update(k=1),
            lambda: obj.pop("k"),
            lambda: obj.setdefault("k", 1),
            lambda: obj.clear(),
            lambda: obj.__delitem__("k"),
            lambda: setattr(obj, "x", 1),
        ]
    return []


def walk(obj: Any) -> list[Any]:
    out = [obj]
    if hasattr(obj, "keys"):
        for v in obj.values():
            out += walk(v)
    elif isinstance(obj, tuple):
        for v in obj:
            out += walk(v)
    return out


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=3), configs, max_size=4))
def test_property_32_config_is_deeply_read_only(cfg: dict[str, Any]) -> None:
    """Property 32: any write anywhere in gctx.config raises TypeError; reads see the values."""
    g = GlobalContext(cfg)
    for k in cfg:
        assert k in g.config
    for node in walk(g.config):
        for w in writes(node):
            with pytest.raises(TypeError):
                w()


def test_config_access_and_source_isolation() -> None:
    src = {"db": {"url": "x", "pool": [1, 2]}}
    g = GlobalContext(src)
    src["db"]["url"] = "changed"
    assert g.config["db"]["url"] == "x" and g.config.db.pool == (1, 2)
    with pytest.raises(AttributeError):
        g.config.nope  # noqa: B018


def test_modules_access_forms() -> None:
    g = GlobalContext()
    db = object()
    g.register_module("db", db)
    assert g.modules.db is db and g.modules["db"] is db and g.get_module("db") is db
    assert "db" in g.modules and list(g.modules) == ["db"] and len(g.modules) == 1
    for get in (lambda: g.modules.cache, lambda: g.modules["cache"], lambda: g.get_module("cache")):
        with pytest.raises(ModuleNotFoundError, match="cache"):
            get()
    with pytest.raises(LookupError):
        g.get_module("cache")
    with pytest.raises(ValueError):
        g.register_module("not valid", db)


def test_shared_state_is_shared_by_reference() -> None:
    g = GlobalContext()
    cache: dict[str, int] = {}
    g.state.set("cache", cache)
    g.state.get("cache")["k"] = 1
    assert cache == {"k": 1} and "cache" in g.state and g.state["cache"] is cache
    g.state["n"] = 1
    assert g.state.keys() == ["cache", "n"] and len(g.state) == 2
    assert g.state.delete("n") and not g.state.delete("n")
    del g.state["cache"]
    g.state.clean()
    assert len(g.state) == 0


async def test_startup_priority_order_and_abort() -> None:
    g = GlobalContext()
    log: list[str] = []

    async def a() -> None:
        log.append("a")

    g.on_startup(lambda: log.append("low"), priority=-1)
    g.on_startup(a, priority=10)
    g.on_startup(lambda: log.append("mid"))
    await g.startup()
    assert log == ["a", "mid", "low"]

    g2 = GlobalContext()
    log.clear()

    def boom() -> None:
        raise RuntimeError("no db")

    g2.on_startup(boom, priority=5)
    g2.on_startup(lambda: log.append("never"))
    with pytest.raises(StartupError, match="no db"):
        await g2.startup()
    assert log == []


async def test_shutdown_all_run_bounded_in_priority_order() -> None:
    g = GlobalContext()
    log: list[str] = []

    async def hang() -> None:
        await asyncio.Event().wait()

    def blocking_hang() -> None:
        time.sleep(0.2)

    def boom() -> None:
        log.append("boom")
        raise RuntimeError("x")

    g.on_shutdown(lambda: log.append("last"), priority=-5)
    g.on_shutdown(hang, priority=3, timeout=0.02)
    g.on_shutdown(boom, priority=2)
    g.on_shutdown(blocking_hang, priority=1, timeout=0.02)
    out = await g.shutdown()
    assert log == ["boom", "last"]
    assert list(out.values()) == ["timeout", "error: RuntimeError: x", "timeout", "ok"]


async def test_health_aggregation() -> None:
    g = GlobalContext()
    assert (await g.health())["status"] == "healthy"
    g.on_health("db", lambda: True)
    assert (await g.health()) == {"status": "healthy", "checks": {"db": {"status": "healthy"}}}

    async def slow_cache() -> str:
        return "degraded"

    g.on_health("cache", slow_cache)
    assert (await g.health())["status"] == "degraded"

    def broken() -> bool:
        raise RuntimeError("down")

    g.on_health("search", broken, critical=False)
    h = await g.health()
    assert h["status"] == "degraded" and h["checks"]["search"]["status"] == "unhealthy"
    assert "down" in h["checks"]["search"]["error"]
    g.on_health("queue", lambda: False)
    assert (await g.health())["status"] == "unhealthy"


@pytest.mark.parametrize("timeout", [0, -1, "10", None, True])
def test_a_shutdown_timeout_that_is_not_a_positive_number_is_refused_at_registration(
    timeout: Any,
) -> None:
    # a bound of 0 or less timed the callback out before it ran, at every shutdown
    g = GlobalContext()

    async def close() -> None: ...

    with pytest.raises(ValueError, match="on_shutdown timeout must be a positive number"):
        g.on_shutdown(close, timeout=timeout)


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_health_check_timeout_that_is_not_positive_is_refused(timeout: float) -> None:
    g = GlobalContext()

    async def check() -> bool:
        return True

    with pytest.raises(ValueError, match="on_health timeout must be a positive number"):
        g.on_health("db", check, timeout=timeout)


@pytest.mark.parametrize("register", ["on_startup", "on_shutdown"])
def test_a_priority_that_is_not_an_int_is_a_type_error(register: str) -> None:
    g = GlobalContext()
    with pytest.raises(TypeError, match="priority must be an int, not 'high'"):
        getattr(g, register)(priority="high")


def test_a_config_that_is_no_mapping_is_a_type_error() -> None:
    # it was "cannot convert dictionary update sequence element #0 to a sequence"
    with pytest.raises(TypeError, match="config= takes a mapping, not list"):
        GlobalContext([("debug", True), 1])  # type: ignore[arg-type]
