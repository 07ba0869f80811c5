"""``gctx.metrics`` while telemetry is off: calls are accepted and their values dropped.

Application code records metrics unconditionally (``gctx.metrics.counter("orders", 1)``) and
runs the same with telemetry off, in tests, or without the ``otel`` extra; only an app with
telemetry on (``App(telemetry=...)``, docs/telemetry.md) exports what it records. Arguments
are still checked, so a wrong call fails the same way whether telemetry is on or off.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NO_METRICS", "NoMetrics", "check_metric"]


def check_metric(name: object, value: object) -> None:
    """Refuse a name that is not a non-empty string or a value that is not a number."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"a metric name is a non-empty string, not {name!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"metric {name!r} takes a number, not {value!r}")


class NoMetrics:
    """The recorder ``gctx.metrics`` holds until telemetry is turned on."""

    __slots__ = ()

    def counter(self, name: str, value: float = 1, **labels: Any) -> None:
        """Add ``value`` (≥ 0) to the counter ``name``."""
        check_metric(name, value)
        if value < 0:
            raise ValueError(f"counter {name!r} only goes up; {value!r} is negative")

    def gauge(self, name: str, value: float, **labels: Any) -> None:
        """Set the gauge ``name`` to ``value``."""
        check_metric(name, value)

    def histogram(self, name: str, value: float, **labels: Any) -> None:
        """Record ``value`` in the histogram ``name``."""
        check_metric(name, value)


NO_METRICS = NoMetrics()
