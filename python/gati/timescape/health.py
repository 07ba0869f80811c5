"""Version health (DESIGN §7, Property 7): a per-version 5xx rate over a sliding window, plus
manual marks.

Each (method, path, version) that served traffic has a ``Tally``: the counts of the current
time bucket and of up to ``buckets - 1`` earlier ones, covering ``window`` seconds. When at
least ``min_requests`` requests in the window failed at a rate above ``threshold``, the version
turns unhealthy for one ``window`` (then it gets traffic again and is judged afresh).
``mark_unhealthy`` holds until ``mark_healthy``. The number of tallies is bounded by the
routes and versions the app registered, never by client input.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Health", "HealthPolicy", "Key", "Tally"]

Key = tuple[str, str, str]  # (method, path pattern, version)
_time = time.time


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    """When a version's 5xx rate makes it unhealthy: ``threshold`` (0–1) of at least
    ``min_requests`` requests within ``window`` seconds, counted in ``buckets`` steps."""

    threshold: float = 0.5
    window: float = 60.0
    min_requests: int = 20
    buckets: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold is a failure rate in (0, 1]")
        if not self.window > 0 or self.buckets < 1 or self.min_requests < 1:
            raise ValueError("window > 0, buckets >= 1 and min_requests >= 1 are required")

    @property
    def scale(self) -> float:
        """Multiply a unix time by this to get its bucket number."""
        return self.buckets / self.window


class Tally:
    """Requests and failures of one version: the current bucket's counts (updated inline on
    the request path until the unix time ``until``) and the earlier buckets of the window."""

    __slots__ = ("epoch", "failures", "past", "requests", "scale", "until")

    def __init__(self, policy: HealthPolicy) -> None:
        self.scale = policy.scale
        self.epoch = -1
        self.until = 0.0  # the first request starts a bucket
        self.requests = 0
        self.failures = 0
        self.past: deque[tuple[int, int, int]] = deque(maxlen=max(policy.buckets - 1, 1))

    def roll(self, now: float) -> None:
        """Start the bucket holding unix time ``now``, keeping the finished one."""
        if self.requests:
            self.past.append((self.epoch, self.requests, self.failures))
        self.epoch = int(now * self.scale)
        self.until = (self.epoch + 1) / self.scale
        self.requests = 0
        self.failures = 0

    def reset(self) -> None:
        """Forget every count."""
        self.past.clear()
        self.epoch, self.until, self.requests, self.failures = -1, 0.0, 0, 0

    def totals(self, now: float, buckets: int) -> tuple[int, int]:
        """(requests, failures) in the ``buckets`` buckets ending at unix time ``now``."""
        epoch = int(now * self.scale)
        oldest = epoch - buckets + 1
        requests = failures = 0
        for e, r, f in (*self.past, (self.epoch, self.requests, self.failures)):
            if oldest <= e <= epoch:
                requests += r
                failures += f
        return requests, failures


class Health:
    """Which versions are healthy; ``changed`` is called when that answer changes."""

    __slots__ = ("_auto", "_changed", "_manual", "_tallies", "policy")

    def __init__(self, policy: HealthPolicy, changed: Callable[[Key], None]) -> None:
        self.policy = policy
        self._changed = changed
        self._tallies: dict[Key, Tally] = {}
        self._manual: set[Key] = set()
        self._auto: dict[Key, float] = {}  # key → unix time it may serve again

    def healthy(self, key: Key) -> bool:
        """Whether ``key`` may get traffic now."""
        if key in self._manual:
            return False
        until = self._auto.get(key)
        if until is None:
            return True
        if _time() < until:
            return False
        del self._auto[key]
        return True

    def next_change(self) -> float | None:
        """The unix time at which an automatic mark ends (``None`` if none is set)."""
        return min(self._auto.values(), default=None)

    def mark(self, key: Key, healthy: bool) -> None:
        """Set or clear the manual mark (clearing also forgets the automatic one and the
        window: the version starts afresh)."""
        if healthy:
            self._manual.discard(key)
            self._auto.pop(key, None)
            tally = self._tallies.get(key)
            if tally is not None:
                tally.reset()
        else:
            self._manual.add(key)
        self._changed(key)

    def tally(self, key: Key) -> Tally:
        """The counters of ``key`` (one per registered version that is planned)."""
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = Tally(self.policy)
        return tally

    def judge(self, key: Key, now: float) -> None:
        """After a failure of ``key``: past the threshold, take it out of traffic."""
        policy = self.policy
        tally = self.tally(key)
        requests, failures = tally.totals(now, policy.buckets)
        if requests >= policy.min_requests and failures / requests > policy.threshold:
            self._auto[key] = now + policy.window
            tally.reset()
            self._changed(key)

    def unhealthy(self) -> list[Key]:
        """Every key that gets no traffic right now."""
        return sorted(k for k in {*self._manual, *self._auto} if not self.healthy(k))
