"""The secrets manager: providers in order, a TTL cache, stale values through outages
(Property 29), and values reachable only through it, never shown (Property 41)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, LocalContext, Secret, SecretNotFound
from gati.secrets import DirectoryProvider, EnvProvider, MappingProvider, SecretsManager
from gati.secrets.manager import MAX_TTL, MIN_TTL
from gati.testing import TestClient


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A custom async provider that counts its round trips and can be made to fail."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.calls = 0
        self.down = False

    async def get(self, name: str) -> str | None:
        self.calls += 1
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionError("vault unreachable")
        return self.values.get(name)


async def test_providers_are_tried_in_order(tmp_path: Path) -> None:
    (tmp_path / "db-password").write_text("from-file\n")
    (tmp_path / "api.token").write_bytes(b"\xff\x00")
    env = {"APP_DB_PASSWORD": "from-env", "APP_ONLY_ENV": "e"}
    manager = SecretsManager(
        [EnvProvider("APP_", environ=env), DirectoryProvider(tmp_path), {"mapped": "m"}]
    )
    assert (await manager.get("db-password")).get() == "from-env"
    assert (await manager.get("api.token")).get() == b"\xff\x00"
    assert (await manager.get("mapped")).get() == "m"
    with pytest.raises(SecretNotFound, match="nowhere"):
        await manager.get("nowhere")
    for bad in ("../etc/passwd", "a/b", ".hidden", "", "x" * 300):
        with pytest.raises(ValueError, match="invalid secret name"):
            await manager.get(bad)


async def test_async_callables_are_providers() -> None:
    async def vault(name: str) -> str | None:
        return "v-" + name

    assert (await SecretsManager([vault]).get("k")).get() == "v-k"
    with pytest.raises(TypeError, match="secret provider"):
        SecretsManager([42])


def test_ttl_defaults_to_five_minutes_and_is_clamped() -> None:
    assert SecretsManager().ttl == 300
    manager = SecretsManager([{"k": "v"}], ttl=60)
    assert App(secrets=manager).gctx.secrets is manager
    assert App(secrets=[{"k": "v"}]).gctx.secrets.ttl == 300
    assert SecretsManager(ttl=0).ttl == MIN_TTL == 1
    assert SecretsManager(ttl=10**6).ttl == MAX_TTL == 900
    with pytest.raises(ValueError):
        SecretsManager(ttl=float("nan"))


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0, 2000),
    st.lists(st.floats(0, 400, allow_nan=False), min_size=1, max_size=30),
)
def test_property_29_reads_within_the_ttl_hit_the_cache_and_later_ones_refetch(
    ttl: float, gaps: list[float]
) -> None:
    """Property 29: a value is fetched again exactly when the (clamped) TTL has passed since
    the last fetch; every other read is a cache hit with no provider round trip."""
    clock, provider = Clock(), Counting({"k": "v"})
    manager = SecretsManager([provider], ttl=ttl, clock=clock)
    effective = min(MAX_TTL, max(MIN_TTL, ttl))

    async def run() -> None:
        expected_calls, fetched_at = 0, None
        for gap in gaps:
            clock.now += gap
            if fetched_at is None or clock.now >= fetched_at + effective:
                expected_calls += 1
                fetched_at = clock.now
            assert (await manager.get("k")).get() == "v"
            assert provider.calls == expected_calls
        stats = manager.stats()
        assert stats["hits"] + stats["misses"] == len(gaps)
        assert stats["fetches"] == expected_calls

    asyncio.run(run())


async def test_a_failed_refresh_serves_the_stale_value_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, provider = Clock(), Counting({"k": "v1"})
    manager = SecretsManager([provider], ttl=60, clock=clock)
    assert (await manager.get("k")).get() == "v1"
    provider.down = True
    clock.now = 61
    with caplog.at_level(logging.WARNING, logger="gati.secrets"):
        assert (await manager.get("k")).get() == "v1"
        assert (await manager.get("k")).get() == "v1"  # retried after a pause, not per read
    assert provider.calls == 2
    assert "serving the cached value" in caplog.text and "v1" not in caplog.text
    assert manager.stats()["stale_served"] == 1
    provider.down = False
    provider.values["k"] = "v2"
    assert (await manager.refresh("k")).get() == "v2"


async def test_invalidate_and_concurrent_reads_share_one_fetch() -> None:
    provider = Counting({"k": "v"})
    manager = SecretsManager([provider])
    results = await asyncio.gather(*(manager.get("k") for _ in range(20)))
    assert {r.get() for r in results} == {"v"} and provider.calls == 1
    manager.invalidate("k")
    await manager.get("k")
    assert provider.calls == 2
    manager.invalidate()
    assert manager.stats()["entries"] == 0


async def test_a_missing_secret_with_a_failing_provider_says_so() -> None:
    provider = Counting({})
    provider.down = True
    with pytest.raises(SecretNotFound, match="1 provider\\(s\\) failed"):
        await SecretsManager([provider]).get("k")


def test_handlers_read_secrets_through_gctx(caplog: pytest.LogCaptureFixture) -> None:
    """Property 41: the value reaches the handler only through ``gctx.secrets``; logging it,
    putting it in state and snapshots, or in a problem body shows it redacted."""
    app = App(secrets=[MappingProvider({"stripe-key": "sk_live_TOPSECRET"})])
    snapshots: list[str] = []

    @app.get("/pay")
    async def pay(req: Any, res: Any, lctx: LocalContext, gctx: Any) -> dict[str, Any]:
        key = await gctx.secrets.get("stripe-key")
        lctx.state.set("key", key)
        lctx.log(f"paying with {key}", key=repr(key))
        logging.getLogger("app").warning("key is %s / %r", key, key)
        snapshots.append(lctx.snapshot().to_json())
        return {"uses": str(key), "length": len(key.get())}

    @app.get("/leak")
    async def leak(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        from gati import HTTPError

        raise HTTPError(400, "bad", extra={"key": await gctx.secrets.get("stripe-key")})

    @app.get("/missing")
    async def missing(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await gctx.secrets.get("nope")

    with caplog.at_level(logging.DEBUG), TestClient(app) as client:
        ok = client.get("/pay")
        problem = client.get("/leak")
        absent = client.get("/missing")
    assert ok.json() == {"uses": "**********", "length": 17}
    assert problem.status_code == 400 and "TOPSECRET" not in problem.text
    assert absent.status_code == 500
    for text in (ok.text, problem.text, absent.text, caplog.text, *snapshots):
        assert "TOPSECRET" not in text
    assert orjson.loads(snapshots[0])


def test_secret_values_cannot_be_serialised_by_accident() -> None:
    with pytest.raises(TypeError):
        orjson.dumps(Secret("x"))
    import json

    with pytest.raises(TypeError):
        json.dumps(Secret("x"))
