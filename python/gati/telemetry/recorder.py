"""``gctx.metrics`` with telemetry on: counters, gauges and histograms through the OTel API.

Instruments are made on first use of a name (by the app's own code, never from client input)
and reused; labels become the data point's attributes.
"""

from __future__ import annotations

from typing import Any

from gati.context.metrics import NoMetrics, check_metric

__all__ = ["Recorder"]


class Recorder(NoMetrics):
    """Records into one OTel ``Meter``; the checks are ``NoMetrics``'s."""

    __slots__ = ("_counters", "_gauges", "_histograms", "_meter")

    def __init__(self, meter: Any) -> None:
        self._meter = meter
        self._counters: dict[str, Any] = {}
        self._gauges: dict[str, Any] = {}
        self._histograms: dict[str, Any] = {}

    def counter(self, name: str, value: float = 1, **labels: Any) -> None:
        """Add ``value`` (≥ 0) to the counter ``name``."""
        super().counter(name, value)
        inst = self._counters.get(name)
        if inst is None:
            inst = self._counters[name] = self._meter.create_counter(name)
        inst.add(value, labels)

    def gauge(self, name: str, value: float, **labels: Any) -> None:
        """Set the gauge ``name`` to ``value``."""
        check_metric(name, value)
        inst = self._gauges.get(name)
        if inst is None:
            inst = self._gauges[name] = self._meter.create_gauge(name)
        inst.set(value, labels)

    def histogram(self, name: str, value: float, **labels: Any) -> None:
        """Record ``value`` in the histogram ``name``."""
        check_metric(name, value)
        inst = self._histograms.get(name)
        if inst is None:
            inst = self._histograms[name] = self._meter.create_histogram(name)
        inst.record(value, labels)
