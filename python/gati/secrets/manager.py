"""``SecretsManager`` (``gctx.secrets``): providers tried in order behind a TTL cache.

A read served from the cache costs a dict lookup, no round trip. An expired entry is fetched
again (one fetch per name however many requests wait for it); if that fetch fails the stale
value keeps being served — logged, and retried after a short pause rather than on every read —
so a provider outage does not become an application outage. Names and provider errors are
logged, values never.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from gati.errors import SecretNotFound
from gati.secrets.providers import Provider, as_provider, check_name
from gati.secrets.value import Secret

__all__ = ["DEFAULT_TTL", "MAX_TTL", "MIN_TTL", "SecretsManager"]

DEFAULT_TTL: Final = 300.0
MIN_TTL: Final = 1.0
MAX_TTL: Final = 900.0
_RETRY_STALE_AFTER: Final = 5.0
_log = logging.getLogger("gati.secrets")


def clamp_ttl(ttl: float) -> float:
    """The TTL in seconds, clamped to 1 s – 15 min."""
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or math.isnan(ttl):
        raise ValueError(f"ttl must be a number of seconds, not {ttl!r}")
    return min(MAX_TTL, max(MIN_TTL, float(ttl)))


class SecretsManager:
    """``await get(name)`` → ``Secret``; ``refresh(name)``, ``invalidate(name)``, ``stats()``."""

    def __init__(
        self,
        providers: Iterable[Any] = (),
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.providers: tuple[Provider, ...] = tuple(as_provider(p) for p in providers)
        self.ttl = clamp_ttl(ttl)
        self._clock = clock
        self._cache: dict[str, tuple[Secret, float]] = {}  # name → (secret, expires at)
        self._inflight: dict[str, asyncio.Future[Secret]] = {}
        self._stats = {"hits": 0, "misses": 0, "fetches": 0, "errors": 0, "stale_served": 0}

    async def get(self, name: str) -> Secret:
        """The secret ``name``: cached, else from the first provider that has it;
        ``SecretNotFound`` when none does."""
        entry = self._cache.get(name)
        if entry is not None and entry[1] > self._clock():
            self._stats["hits"] += 1
            return entry[0]
        self._stats["misses"] += 1
        return await self._load(check_name(name))

    async def refresh(self, name: str) -> Secret:
        """Fetch ``name`` again now, whatever its cache entry says."""
        self._expire(check_name(name))
        return await self._load(name)

    def invalidate(self, name: str | None = None) -> None:
        """Forget ``name`` (every name when None): the next read fetches it."""
        if name is None:
            self._cache.clear()
        else:
            self._cache.pop(name, None)

    def stats(self) -> dict[str, int]:
        """Counters: hits, misses, fetches, errors, stale_served, and cached entries."""
        return {**self._stats, "entries": len(self._cache)}

    def _expire(self, name: str) -> None:
        entry = self._cache.get(name)
        if entry is not None:
            self._cache[name] = (entry[0], -math.inf)

    async def _load(self, name: str) -> Secret:
        pending = self._inflight.get(name)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Secret] = asyncio.get_running_loop().create_future()
        self._inflight[name] = future
        try:
            secret = await self._fetch(name)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: waiters re-raise it, asyncio must not warn
            raise
        else:
            future.set_result(secret)
            return secret
        finally:
            del self._inflight[name]

    async def _fetch(self, name: str) -> Secret:
        self._stats["fetches"] += 1
        failed: list[str] = []
        for provider in self.providers:
            try:
                value = await provider.get(name)
            except Exception as exc:
                self._stats["errors"] += 1
                failed.append(f"{provider!r}: {type(exc).__name__}")
                continue
            if value is not None:
                secret = Secret(value)
                self._cache[name] = (secret, self._clock() + self.ttl)
                return secret
        stale = self._cache.get(name)
        if failed and stale is not None:
            self._stats["stale_served"] += 1
            _log.warning(
                "secret %r: refresh failed (%s); serving the cached value", name, "; ".join(failed)
            )
            self._cache[name] = (stale[0], self._clock() + min(self.ttl, _RETRY_STALE_AFTER))
            return stale[0]
        self._cache.pop(name, None)
        reason = f" ({len(failed)} provider(s) failed: {'; '.join(failed)})" if failed else ""
        raise SecretNotFound(
            f"secret {name!r} not found in {len(self.providers)} provider(s){reason}"
        )

    def __repr__(self) -> str:
        return f"SecretsManager({len(self.providers)} providers, ttl={self.ttl:g} s)"
