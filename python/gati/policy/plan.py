"""How a route's policy options become lifecycle steps, and what they say about the route.

``Policies`` holds the app-wide defaults (``App(auth=, rate_limit=, redis_url=, audit=)``) and
the rate-limit store; ``Policies.for_route`` turns one route's options into a ``RoutePolicy``:
the built-in before steps that run ahead of every other hook — authentication (so the
handler, validation and the rate limit see the principal), then the rate limit — and
an introspection surface (``describe()``) for the OpenAPI document, ``gati routes`` and tests.
The audit step is the app's (``App.add_step``): it runs for every request, routed or not.

Every accepted option is enforced: ``roles=`` without an authenticator, ``burst=`` without a
rate, or an unknown ``on_store_error`` are refused when the route is registered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Final

from gati.http.options import RouteOptions
from gati.lifecycle.hooks import Hook
from gati.policy.audit import AuditLog
from gati.policy.auth import Authenticate, AuthFn, check_callable
from gati.policy.memory import MemoryStore
from gati.policy.rate import Rate, parse_rate
from gati.policy.ratelimit import RateLimit
from gati.policy.redis_store import RedisStore
from gati.policy.store import RateLimitStore

__all__ = ["REDIS_URL_ENV", "Policies", "RoutePolicy"]

REDIS_URL_ENV: Final = "GATI_REDIS_URL"


def _authenticators(auth: Any) -> tuple[AuthFn, ...]:
    """``None``/``False`` → none; one authenticator or a sequence of them (tried in order)."""
    if auth is None or auth is False:
        return ()
    found = tuple(auth) if isinstance(auth, list | tuple) else (auth,)
    for a in found:
        check_callable(a, 1, "auth= takes async callables (req) -> Principal | None", is_async=True)
    return found


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    """A route's effective policies (app defaults applied) and the steps enforcing them."""

    authenticators: tuple[AuthFn, ...] = ()
    roles: frozenset[str] = frozenset()
    rate: Rate | None = None
    limiter: RateLimit | None = None
    audited: bool = False
    steps: tuple[Hook, ...] = ()

    @property
    def requires_auth(self) -> bool:
        """True when the route answers 401 without valid credentials."""
        return bool(self.authenticators)

    def describe(self) -> dict[str, Any]:
        """The policies as plain data: ``auth`` (one OpenAPI security scheme object per
        authenticator, ``{}`` for a custom one), ``roles`` (all required), ``rate_limit``
        (``{"limit", "period", "burst", "cost"}`` or None), ``audited``."""
        schemes = [_security_scheme(a) for a in self.authenticators]
        return {
            "auth": schemes,
            "roles": sorted(self.roles),
            "rate_limit": None if self.rate is None else self.rate.describe(),
            "audited": self.audited,
        }


class Policies:
    """App-wide policy defaults and the shared rate-limit store.

    The store is ``store`` when given (any ``RateLimitStore``), else a ``RedisStore`` when
    ``redis_url`` (or ``$GATI_REDIS_URL``) is set, else a ``MemoryStore``.
    """

    def __init__(
        self,
        *,
        auth: Any = None,
        rate_limit: str | None = None,
        redis_url: str | None = None,
        store: RateLimitStore | None = None,
        audit: bool | AuditLog = False,
    ) -> None:
        self.authenticators = _authenticators(auth)
        self.rate_limit = rate_limit
        if rate_limit is not None:
            parse_rate(rate_limit)  # refuse a malformed default now, not at the first route
        url = redis_url or os.environ.get(REDIS_URL_ENV) or None
        if store is None:
            store = RedisStore(url) if url else MemoryStore()
        elif redis_url is not None:
            raise ValueError("give a rate-limit store or a redis_url, not both")
        elif not isinstance(store, RateLimitStore):
            raise TypeError(
                "a rate-limit store has async acquire(key, emission, burst, cost) and "
                f"close() (gati.policy.RateLimitStore), not {type(store).__name__}"
            )
        self.store: RateLimitStore = store
        if not isinstance(audit, bool | AuditLog):
            raise TypeError(f"audit= takes True, False or an AuditLog, not {audit!r}")
        self.audit: AuditLog | None = AuditLog() if audit is True else audit or None

    def for_route(self, scope: str, options: RouteOptions) -> RoutePolicy:
        """The policy of the route whose buckets are named ``scope`` (method, path, version),
        from its declared ``options`` (``auth``, ``roles``, ``rate_limit``, ``burst``,
        ``cost``, ``key``, ``on_store_error``; the rest are not policies).

        ``auth=None`` and ``rate_limit=None`` take the app's defaults; ``False`` turns them off.
        """
        auth = options.get("auth")
        roles = options.get("roles")
        rate_limit = options.get("rate_limit")
        burst = options.get("burst")
        cost = options.get("cost", 1)
        key = options.get("key")
        on_store_error = options.get("on_store_error", "allow")
        if isinstance(roles, str):
            raise TypeError("roles= takes a list of role names, not one string")
        authenticators = self.authenticators if auth is None else _authenticators(auth)
        required = frozenset(roles or ())
        if required and not authenticators:
            raise ValueError(
                f"roles={sorted(required)} need an authenticator: App(auth=...) or auth=..."
            )
        if rate_limit is True and self.rate_limit is None:
            raise ValueError("rate_limit=True takes the app's default, and the App has none")
        text = self.rate_limit if rate_limit is None or rate_limit is True else rate_limit
        rate = None if text is False or text is None else parse_rate(text, burst=burst, cost=cost)
        if rate is None and (
            burst is not None or cost != 1 or key is not None or "on_store_error" in options
        ):
            raise ValueError(
                "burst=, cost=, key= and on_store_error= need a rate_limit (here or on the App)"
            )
        steps: list[Hook] = []
        limiter = None
        if rate is not None:
            limiter = RateLimit(
                rate, self.store, scope=scope, key=key, on_store_error=on_store_error
            )
        if authenticators:
            # Failed credentials draw from the client's IP bucket, so guessing is throttled too.
            throttle = limiter if limiter is not None and key is None else None
            steps.append(
                _step(Authenticate(authenticators, required, throttle=throttle), "gati.auth")
            )
        if limiter is not None:
            steps.append(_step(limiter, "gati.rate_limit"))
        return RoutePolicy(
            authenticators, required, rate, limiter, self.audit is not None, tuple(steps)
        )

    async def close(self) -> None:
        """Release the store's connections (at shutdown)."""
        await self.store.close()


def _security_scheme(authenticator: Any) -> dict[str, Any]:
    describe = getattr(authenticator, "security_scheme", None)
    return dict(describe()) if callable(describe) else {}


def _step(step: Any, hook_id: str) -> Hook:
    """The hook running ``step``: its bound ``__call__``, which the lifecycle calls directly
    (calling the instance goes through a ``__call__`` lookup on every request)."""
    return Hook(step.__call__, kind="before", level="global", id=hook_id)
