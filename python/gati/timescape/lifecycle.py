"""The life of a version after it ships: deprecation, sunset, decommissioning, usage.

``deprecate(version, sunset=date)`` makes every response served at that version carry
``Deprecation: @<unix time>`` (RFC 9745) and ``Sunset: <HTTP-date>`` (RFC 8594). From the
sunset date on, or once ``decommission(version)`` is called, the version is gone: its requests
take a safe path to a newer implementation or get 410. Usage (requests and last use per
version) feeds the automatic drain: with ``drain_after`` set, a version with no traffic for
that long and no tag pointing at it is decommissioned.
"""

from __future__ import annotations

import calendar
import datetime
import time
from collections.abc import Iterable
from email.utils import formatdate
from typing import Any

from gati.timescape.versions import as_version

__all__ = ["Lifecycle", "Retirement"]

_time = time.time


def _midnight_utc(version: str) -> float:
    """The unix time at which the date ``version`` begins (UTC)."""
    return float(calendar.timegm(datetime.date.fromisoformat(version).timetuple()))


class Retirement:
    """The deprecation of one version: when it was announced, and its sunset (if any)."""

    __slots__ = ("deprecated_at", "headers", "sunset", "sunset_at")

    def __init__(self, deprecated_at: float, sunset: str | None) -> None:
        self.deprecated_at = deprecated_at
        self.sunset = sunset
        self.sunset_at = None if sunset is None else _midnight_utc(sunset)
        pairs = [(b"deprecation", b"@%d" % int(deprecated_at))]
        if self.sunset_at is not None:
            http_date = formatdate(self.sunset_at, usegmt=True)
            pairs.append((b"sunset", http_date.encode("ascii")))
        self.headers: tuple[tuple[bytes, bytes], ...] = tuple(pairs)


class Lifecycle:
    """Deprecations, decommissions and usage of every version of one app."""

    __slots__ = ("_decommissioned", "_usage", "drain_after", "retirements", "started_at")

    def __init__(self, drain_after: float | None = None) -> None:
        self.retirements: dict[str, Retirement] = {}
        self._decommissioned: set[str] = set()
        self._usage: dict[str, list[Any]] = {}
        self.drain_after = drain_after
        self.started_at = _time()

    def deprecate(
        self, version: str, sunset: str | datetime.date | None, at: float | None = None
    ) -> Retirement:
        """Deprecate ``version`` now (or at unix time ``at``), sunset on ``sunset``."""
        date = as_version(version)
        end = None if sunset is None else as_version(sunset)
        if end is not None and end <= date:
            raise ValueError(f"the sunset {end} must come after the version {date}")
        retirement = Retirement(_time() if at is None else at, end)
        self.retirements[date] = retirement
        return retirement

    def decommission(self, version: str) -> None:
        """Retire ``version`` now."""
        self._decommissioned.add(as_version(version))

    def is_gone(self, version: str, now: float) -> bool:
        """Whether ``version`` was decommissioned or passed its sunset at unix time ``now``."""
        if version in self._decommissioned:
            return True
        retirement = self.retirements.get(version)
        return (
            retirement is not None
            and retirement.sunset_at is not None
            and now >= retirement.sunset_at
        )

    def next_sunset(self, now: float) -> float | None:
        """The earliest sunset still ahead of ``now`` (``None`` if none is)."""
        ahead = [
            r.sunset_at
            for r in self.retirements.values()
            if r.sunset_at is not None and r.sunset_at > now
        ]
        return min(ahead, default=None)

    def entry(self, version: str) -> list[Any]:
        """The usage counters of ``version``: ``[requests, last use or None]``, updated in
        place by the request path."""
        entry = self._usage.get(version)
        if entry is None:
            entry = self._usage[version] = [0, None]
        return entry

    def usage(self, versions: Iterable[str]) -> dict[str, dict[str, object]]:
        """Requests and last use (ISO timestamp or ``None``) per version, with its state."""
        report: dict[str, dict[str, object]] = {}
        now = _time()
        for version in sorted(versions):
            count, last = self._usage.get(version, (0, None))
            retirement = self.retirements.get(version)
            report[version] = {
                "requests": int(count) if count else 0,
                "last_used": None
                if last is None
                else datetime.datetime.fromtimestamp(last, datetime.UTC).isoformat(),
                "deprecated": retirement is not None,
                "sunset": None if retirement is None else retirement.sunset,
                "decommissioned": self.is_gone(version, now),
            }
        return report

    def drained(self, versions: Iterable[str], protected: Iterable[str], now: float) -> list[str]:
        """The versions idle for ``drain_after`` seconds and not protected (none if unset)."""
        if self.drain_after is None:
            return []
        keep = set(protected)
        out = []
        for version in versions:
            if version in keep or self.is_gone(version, now):
                continue
            last = self._usage.get(version, (0, None))[1] or self.started_at
            if now - last >= self.drain_after:
                out.append(version)
        return out
