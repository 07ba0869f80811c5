"""``Rate`` and GCRA: what ``rate_limit="100/minute"`` means, and the one decision rule every store
applies (the Generic Cell Rate Algorithm, ITU-T I.371's virtual scheduling form).

GCRA keeps one number per key, the theoretical arrival time (TAT) of the next request: a limit
of ``limit`` per ``period`` spaces requests ``period / limit`` apart (the emission interval),
and up to ``burst`` of them may arrive at once. It is exact — never more than ``burst`` plus
one request per emission interval in any span of time — and O(1) in time and state per key.
Times are integer microseconds, so the Redis script (Lua doubles) computes the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["Decision", "Rate", "gcra", "parse_rate"]

_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_RATE_RE: Final = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*\Z")
_MAX_PERIOD_S: Final = 366 * 86400
_MAX_LIMIT: Final = 10**9
MICROS: Final = 1_000_000


# One store answer: (allowed, units remaining, µs until the bucket is full again, µs until a
# refused request could pass (0 when allowed), the TAT the store now holds). A plain tuple:
# a NamedTuple's Python-level __new__ costs 0.4 µs, half the memory limiter's budget.
Decision = tuple[bool, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` units per ``period`` seconds, ``burst`` at once (defaults to ``limit``), each
    request weighing ``cost`` units."""

    limit: int
    period: int
    burst: int
    cost: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.limit <= _MAX_LIMIT:
            raise ValueError(f"a rate limit must be between 1 and {_MAX_LIMIT}, not {self.limit}")
        if not 0 < self.period <= _MAX_PERIOD_S:
            raise ValueError(f"a rate period must be 1 s to 366 days, not {self.period} s")
        if not 0 < self.burst <= _MAX_LIMIT:
            raise ValueError(f"burst must be between 1 and {_MAX_LIMIT}, not {self.burst}")
        if not 0 < self.cost <= self.burst:
            raise ValueError(f"cost must be between 1 and burst ({self.burst}), not {self.cost}")

    @property
    def emission_us(self) -> int:
        """Microseconds between two units at the sustained rate (at least 1)."""
        return max(1, self.period * MICROS // self.limit)

    @property
    def policy(self) -> str:
        """The ``RateLimit-Policy`` value (IETF draft): ``100;w=60`` plus ``;burst=`` if set."""
        text = f"{self.limit};w={self.period}"
        return text if self.burst == self.limit else f"{text};burst={self.burst}"

    def describe(self) -> dict[str, int]:
        """The limit as data (``x-ratelimit`` in the OpenAPI document)."""
        return {"limit": self.limit, "period": self.period, "burst": self.burst, "cost": self.cost}

    def __str__(self) -> str:
        return f"{self.limit}/{self.period}s"


def parse_rate(text: str, *, burst: int | None = None, cost: int = 1) -> Rate:
    """``"100/minute"``, ``"10/second"``, ``"1000/hour"``, ``"5/10s"``, ``"3/2 hours"`` → ``Rate``.

    Raises ``ValueError`` naming the accepted forms for anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"rate_limit must be a string such as '100/minute', not {text!r}")
    m = _RATE_RE.match(text.lower())
    unit = _UNITS.get(m.group(3)) if m else None
    if m is None or unit is None or (m.group(2) and int(m.group(2)) == 0):
        raise ValueError(
            f"invalid rate limit {text!r}: use '<count>/<unit>' or '<count>/<n><unit>' with a "
            "unit of second, minute, hour or day (s, m, h, d), e.g. '100/minute' or '5/10s'"
        )
    limit = int(m.group(1))
    period = unit * (int(m.group(2)) if m.group(2) else 1)
    return Rate(limit, period, limit if burst is None else burst, cost)


def gcra(tat: int | None, now: int, emission: int, burst: int, cost: int) -> Decision:
    """Decide one request at ``now`` (µs) for a key whose stored TAT is ``tat`` (None: new);
    the decision's last field is the TAT to store (unchanged when refused)."""
    start = now if tat is None or tat < now else tat
    new_tat = start + cost * emission
    allow_at = new_tat - burst * emission
    if now < allow_at:
        return (False, 0, start - now, allow_at - now, start)
    return (True, (now - allow_at) // emission, new_tat - now, 0, new_tat)
