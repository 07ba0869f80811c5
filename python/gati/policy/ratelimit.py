"""``RateLimit``: the built-in lifecycle step that enforces a route's ``rate_limit=``.

The bucket key is ``<route>|<version>|<identity>``: one bucket per route and Timescape version,
the identity being the principal's subject when the request is authenticated (the step runs
after ``Authenticate``), else the client IP as ingress determined it (trusted proxies applied),
or whatever a route's ``key=`` callable returns. Every answer carries the IETF draft headers
``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` and ``RateLimit-Policy``; a
refused request gets 429 with ``Retry-After`` as well.

When the store fails (``StoreUnavailable``), ``on_store_error="allow"`` lets the request
through and ``"deny"`` answers 503; both are logged (at most once per 10 s per step) and counted
in ``store_errors``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final, Literal

from gati.http.errors import HTTPError
from gati.policy.auth import check_callable
from gati.policy.memory import MemoryStore
from gati.policy.rate import MICROS, Decision, Rate
from gati.policy.redis_store import StoreUnavailable

__all__ = ["KeyFn", "OnStoreError", "RateLimit", "RateLimited"]

KeyFn = Callable[[Any, Any], str]
OnStoreError = Literal["allow", "deny"]
_LOG_EVERY_S: Final = 10.0
# Header pairs for small values, built once: an index costs 0.06 µs, b"%d" and a tuple 0.27.
_TABLE: Final = 1024
_REMAINING: Final = tuple((b"ratelimit-remaining", b"%d" % n) for n in range(_TABLE))
_RESET: Final = tuple((b"ratelimit-reset", b"%d" % n) for n in range(_TABLE))
_log = logging.getLogger("gati.policy")
_monotonic_ns = time.monotonic_ns


class RateLimited(HTTPError):
    """The 429 of a refused request; ``policy`` is the rate's ``RateLimit-Policy`` value
    (telemetry counts rejections by it)."""

    def __init__(self, policy: str, status: int, detail: str, *, headers: dict[str, str]) -> None:
        super().__init__(status, detail, headers=headers)
        self.policy = policy


class RateLimit:
    """The step for one route: ``rate`` enforced in ``store`` under the bucket ``scope``."""

    __slots__ = (
        "_burst",
        "_burst_us",
        "_cost",
        "_cost_us",
        "_emission",
        "_ip_prefix",
        "_last_log",
        "_limit_header",
        "_policy_header",
        "_prefix",
        "_sub_prefix",
        "_take",
        "_tats",
        "key",
        "on_store_error",
        "rate",
        "store",
        "store_errors",
    )

    def __init__(
        self,
        rate: Rate,
        store: Any,
        *,
        scope: str,
        key: KeyFn | None = None,
        on_store_error: OnStoreError = "allow",
    ) -> None:
        if on_store_error not in ("allow", "deny"):
            raise ValueError(f"on_store_error must be 'allow' or 'deny', not {on_store_error!r}")
        if key is not None:
            check_callable(key, 2, "key= must be a callable (req, lctx) -> str", is_async=False)
        self.rate = rate
        self.store = store
        self.key = key
        self.on_store_error = on_store_error
        self.store_errors = 0
        self._prefix = scope + "|"
        self._ip_prefix = self._prefix + "ip:"
        self._sub_prefix = self._prefix + "sub:"
        self._emission = rate.emission_us
        self._burst = rate.burst
        self._cost = rate.cost
        # A MemoryStore on its own clock is decided inline; another store that decides
        # without I/O (``take``) is called directly: no coroutine.
        self._tats = store.inline() if isinstance(store, MemoryStore) else None
        self._take = getattr(store, "take", None)
        self._cost_us = rate.cost * self._emission
        self._burst_us = rate.burst * self._emission
        self._limit_header = (b"ratelimit-limit", b"%d" % rate.burst)
        self._policy_header = (b"ratelimit-policy", rate.policy.encode("ascii"))
        self._last_log = -_LOG_EVERY_S

    async def __call__(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if self.key is None:  # the principal's subject, else the client IP
            meta = lctx.meta
            principal = meta.principal
            if principal is not None:
                bucket = self._sub_prefix + principal.subject
            else:
                client = meta.client
                bucket = self._ip_prefix + ((client[0] if client else None) or "unknown")
        else:
            bucket = self._prefix + str(self.key(req, lctx))
        tats = self._tats
        if tats is not None:  # a MemoryStore: rate.gcra inline (tests hold the two equal)
            now = _monotonic_ns() // 1000
            tat = tats.get(bucket)
            start = now if tat is None or tat < now else tat
            new_tat = start + self._cost_us
            allow_at = new_tat - self._burst_us
            if now < allow_at:
                raise self._refused(start - now, allow_at - now)
            if tat is None:
                self.store.store_tat(bucket, None, new_tat, now)
            else:
                tats[bucket] = new_tat
            remaining = (now - allow_at) // self._emission
            reset_us = new_tat - now
        else:
            if self._take is not None:
                decision: Decision = self._take(bucket, self._emission, self._burst, self._cost)
            else:
                try:
                    decision = await self.store.acquire(
                        bucket, self._emission, self._burst, self._cost
                    )
                except StoreUnavailable as exc:
                    self._store_failed(exc)
                    return
            allowed, remaining, reset_us, retry_us, _ = decision
            if not allowed:
                raise self._refused(reset_us, retry_us)
        reset = -(-reset_us // MICROS)  # whole seconds, rounded up
        res.headers += (
            self._limit_header,
            _REMAINING[remaining]
            if remaining < _TABLE
            else (b"ratelimit-remaining", b"%d" % remaining),
            _RESET[reset] if reset < _TABLE else (b"ratelimit-reset", b"%d" % reset),
            self._policy_header,
        )

    def _refused(self, reset_us: int, retry_us: int) -> RateLimited:
        """The 429 of a refused request: the bucket is full again in ``reset_us``, the next
        request may pass in ``retry_us`` (both µs, rounded up to whole seconds)."""
        rate = self.rate
        return RateLimited(
            rate.policy,
            429,
            f"rate limit of {rate.limit} per {rate.period} s exceeded",
            headers={
                "Retry-After": str(max(1, -(-retry_us // MICROS))),
                "RateLimit-Limit": str(rate.burst),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(-(-reset_us // MICROS)),
                "RateLimit-Policy": rate.policy,
            },
        )

    def _store_failed(self, exc: StoreUnavailable) -> None:
        self.store_errors += 1
        now = time.monotonic()
        if now - self._last_log >= _LOG_EVERY_S:
            self._last_log = now
            _log.warning(
                "rate-limit store failed (%s; %d failures so far): %s requests",
                exc,
                self.store_errors,
                "allowing" if self.on_store_error == "allow" else "refusing",
            )
        if self.on_store_error == "deny":
            raise HTTPError(
                503, "the rate limit cannot be checked right now", headers={"Retry-After": "1"}
            )
