"""``RateLimitStore``: what a rate-limit store provides, so an app can bring its own
(``App(rate_limit_store=...)``) next to the built-in ``MemoryStore`` and ``RedisStore``.

A store decides one request for a bucket key with GCRA (``gati.policy.rate.gcra``: the
emission interval and burst in microseconds and units, the request's cost in units) and
returns the ``Decision`` tuple; it raises ``StoreUnavailable`` when it cannot answer, and the
route's ``on_store_error`` decides. A store that decides without I/O may also offer a
synchronous ``take`` with the same arguments, which the limiter then calls directly.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from gati.policy.rate import Decision

__all__ = ["RateLimitStore"]


@runtime_checkable
class RateLimitStore(Protocol):
    """The interface of ``MemoryStore``, ``RedisStore`` and custom stores."""

    async def acquire(self, key: str, emission: int, burst: int, cost: int) -> Decision:
        """Decide one request for ``key``; ``StoreUnavailable`` when the store cannot."""
        ...

    async def close(self) -> None:
        """Release connections (called once, at app shutdown)."""
        ...
