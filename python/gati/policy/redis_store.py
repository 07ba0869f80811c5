"""``RedisStore``: rate-limit state shared by every worker and host that uses one Redis.

Each decision is one atomic Lua script (``EVALSHA``, one round trip) running the same GCRA as
``gati.policy.rate.gcra`` on Redis's own clock (``TIME``), so workers on different hosts agree
on time and the limit is exact across them. Keys expire when their bucket is full again.

A store that cannot answer (Redis down, slow or refusing) raises ``StoreUnavailable`` within
``timeout`` seconds — connection and reply alike, no retries — and the route's
``on_store_error`` decides whether the request passes.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from gati.errors import GatiError
from gati.policy.rate import Decision

__all__ = ["GCRA_LUA", "RedisStore", "StoreUnavailable"]

# KEYS[1]: the bucket; ARGV: emission interval (µs), burst, cost (units).
# Returns {allowed, remaining, reset_us, retry_us, tat}, the numbers of rate.gcra.
GCRA_LUA: Final = """
local emission = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + cost * emission
local allow_at = new_tat - burst * emission
if now < allow_at then
  return {0, 0, tat - now, allow_at - now, tat}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / emission), new_tat - now, 0, new_tat}
"""

DEFAULT_PREFIX: Final = "gati:rl:"
_MAX_KEY: Final = 200


class StoreUnavailable(GatiError):
    """The rate-limit store did not answer (unreachable, timed out or failed)."""


def _bounded_key(prefix: str, key: str) -> str:
    """Keys longer than 200 characters are replaced by their SHA-256 (Redis memory stays
    bounded whatever a custom ``key=`` returns)."""
    if len(key) <= _MAX_KEY:
        return prefix + key
    return prefix + "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class RedisStore:
    """GCRA buckets in Redis (redis-py asyncio). ``url`` as for ``redis.asyncio.from_url``;
    ``timeout`` bounds connecting and each reply (seconds)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.25,
        prefix: str = DEFAULT_PREFIX,
        client: Any = None,
    ) -> None:
        try:
            import redis.asyncio as aioredis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:  # pragma: no cover - the dev extra installs redis
            raise ImportError("RedisStore needs redis-py: pip install 'gati[redis]'") from None
        if not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.url = url
        self.timeout = timeout
        self.prefix = prefix
        self.client = client or aioredis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self.client.register_script(GCRA_LUA)
        self._errors: tuple[type[BaseException], ...] = (
            aioredis.RedisError,
            OSError,
            TimeoutError,
        )

    async def acquire(self, key: str, emission: int, burst: int, cost: int) -> Decision:
        """Decide one request for ``key`` in one round trip; ``StoreUnavailable`` on failure."""
        try:
            allowed, remaining, reset_us, retry_us, tat = await self._script(
                keys=[_bounded_key(self.prefix, key)], args=[emission, burst, cost]
            )
        except self._errors as exc:
            raise StoreUnavailable(f"redis at {self._where}: {type(exc).__name__}") from exc
        return (allowed == 1, remaining, reset_us, retry_us, tat)

    @property
    def _where(self) -> str:
        """The server's address without credentials (never log a password in a URL)."""
        kwargs = self.client.connection_pool.connection_kwargs
        return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"

    async def close(self) -> None:
        """Close the connection pool (at app shutdown)."""
        await self.client.aclose()

    def __repr__(self) -> str:
        return f"RedisStore({self._where})"
