"""Version health (DESIGN §7, Property 7): a per-version 5xx rate over a sliding window, plus
manual marks.

Each (method, path, version) that served traffic has a ring of ``buckets`` counters covering
``window`` seconds. When at least ``min_requests`` requests in the window failed at a rate
above ``threshold``, the version turns unhealthy for one ``window`` (then it gets traffic again
and is judged afresh). ``mark_unhealthy`` holds until ``mark_healthy``. The number of rings is
bounded by the routes and versions the app registered, never by client input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Health", "HealthPolicy", "Key"]

Key = tuple[str, str, str]  # (method, path pattern, version)
_clock = time.monotonic


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """When a version's 5xx rate makes it unhealthy: ``threshold`` (0–1) of at least
    ``min_requests`` requests within ``window`` seconds."""

    threshold: float = 0.5
    window: float = 60.0
    min_requests: int = 20
    buckets: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold is a failure rate in (0, 1]")
        if not self.window > 0 or self.buckets < 1 or self.min_requests < 1:
            raise ValueError("window > 0, buckets >= 1 and min_requests >= 1 are required")


class _Ring:
    """Request and failure counts per time bucket."""

    __slots__ = ("epochs", "failures", "requests")

    def __init__(self, n: int) -> None:
        self.epochs = [-1] * n
        self.requests = [0] * n
        self.failures = [0] * n

    def add(self, epoch: int, failed: bool) -> None:
        i = epoch % len(self.epochs)
        if self.epochs[i] != epoch:
            self.epochs[i] = epoch
            self.requests[i] = 0
            self.failures[i] = 0
        self.requests[i] += 1
        if failed:
            self.failures[i] += 1

    def totals(self, epoch: int) -> tuple[int, int]:
        oldest = epoch - len(self.epochs) + 1
        live = [i for i, e in enumerate(self.epochs) if e >= oldest]
        return sum(self.requests[i] for i in live), sum(self.failures[i] for i in live)


class Health:
    """Which versions are healthy; ``changed`` is called when that answer changes."""

    __slots__ = ("_auto", "_changed", "_manual", "_rings", "policy")

    def __init__(self, policy: HealthPolicy, changed: Callable[[Key], None]) -> None:
        self.policy = policy
        self._changed = changed
        self._rings: dict[Key, _Ring] = {}
        self._manual: set[Key] = set()
        self._auto: dict[Key, float] = {}  # key → monotonic time it may serve again

    def healthy(self, key: Key) -> bool:
        """Whether ``key`` may get traffic now."""
        if key in self._manual:
            return False
        until = self._auto.get(key)
        if until is None:
            return True
        if _clock() < until:
            return False
        del self._auto[key]
        return True

    def next_change(self) -> float | None:
        """The monotonic time at which an automatic mark ends (``None`` if none is set)."""
        return min(self._auto.values(), default=None)

    def mark(self, key: Key, healthy: bool) -> None:
        """Set or clear the manual mark (clearing also forgets the automatic one and the
        window: the version starts afresh)."""
        if healthy:
            self._manual.discard(key)
            self._auto.pop(key, None)
            self._rings.pop(key, None)
        else:
            self._manual.add(key)
        self._changed(key)

    def record(self, key: Key, failed: bool) -> None:
        """Count one request served by ``key``; a 5xx may turn it unhealthy."""
        policy = self.policy
        now = _clock()
        epoch = int(now * policy.buckets / policy.window)
        ring = self._rings.get(key)
        if ring is None:
            ring = self._rings[key] = _Ring(policy.buckets)
        ring.add(epoch, failed)
        if not failed:
            return
        requests, failures = ring.totals(epoch)
        if requests >= policy.min_requests and failures / requests > policy.threshold:
            self._auto[key] = now + policy.window
            self._rings.pop(key, None)
            self._changed(key)

    def rate(self, key: Key) -> tuple[int, int]:
        """(requests, failures) of ``key`` in the current window."""
        ring = self._rings.get(key)
        if ring is None:
            return 0, 0
        policy = self.policy
        return ring.totals(int(_clock() * policy.buckets / policy.window))

    def unhealthy(self) -> list[Key]:
        """Every key that gets no traffic right now."""
        return sorted(k for k in {*self._manual, *self._auto} if not self.healthy(k))
