"""``App(rate_limit_store=...)``: a store of the app's own, typed as ``RateLimitStore``."""

from __future__ import annotations

from typing import Any

import pytest

from gati import App
from gati.policy import MemoryStore, RateLimitStore, StoreUnavailable
from gati.policy.rate import Decision, gcra
from gati.testing import AsyncTestClient


class CountingStore:
    """A custom store: GCRA over a dict on a fixed clock, counting its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.tats: dict[str, int] = {}
        self.closed = False
        self.down = False

    async def acquire(self, key: str, emission: int, burst: int, cost: int) -> Decision:
        if self.down:
            raise StoreUnavailable("the custom store is down")
        self.calls.append(key)
        decision = gcra(self.tats.get(key), 0, emission, burst, cost)
        if decision[0]:
            self.tats[key] = decision[4]
        return decision

    async def close(self) -> None:
        self.closed = True


def limited(store: Any, **options: Any) -> App:
    app = App(rate_limit="2/minute", rate_limit_store=store, **options)

    @app.get("/hello")
    async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "hi"

    return app


async def test_the_app_uses_the_store_it_is_given() -> None:
    store = CountingStore()
    assert isinstance(store, RateLimitStore)
    app = limited(store)
    assert app.policies.store is store
    async with AsyncTestClient(app) as client:
        statuses = [(await client.get("/hello")).status_code for _ in range(3)]
        refused = await client.get("/hello")
    assert statuses == [200, 200, 429]
    assert refused.headers["retry-after"] and refused.headers["ratelimit-limit"] == "2"
    assert len(store.calls) == 4 and store.calls[0].startswith("GET /hello|-|ip:")
    assert store.closed  # closed at shutdown like the built-in stores


async def test_a_failing_custom_store_takes_the_on_store_error_path() -> None:
    store = CountingStore()
    store.down = True
    app = limited(store)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/hello")).status_code == 200  # on_store_error="allow"


async def test_a_memory_store_with_its_own_limits_can_be_passed() -> None:
    store = MemoryStore(max_keys=10)
    app = limited(store)
    async with AsyncTestClient(app) as client:
        for _ in range(2):
            assert (await client.get("/hello")).status_code == 200
        assert (await client.get("/hello")).status_code == 429
    assert len(store) == 1


def test_a_store_must_have_the_interface() -> None:
    with pytest.raises(TypeError, match="RateLimitStore"):
        App(rate_limit_store=object())  # type: ignore[arg-type]


def test_a_store_and_a_redis_url_conflict() -> None:
    with pytest.raises(ValueError, match="not both"):
        App(rate_limit_store=MemoryStore(), redis_url="redis://127.0.0.1:1")


def test_an_unknown_route_option_is_refused() -> None:
    app = App()
    with pytest.raises(TypeError, match="unknown route option"):
        app.get("/x", rate_limt="1/second")  # type: ignore[call-arg]
