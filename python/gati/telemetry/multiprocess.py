"""Prometheus metrics summed over several worker processes (``uvicorn --workers N``).

With ``PROMETHEUS_MULTIPROC_DIR`` set (prometheus-client's multiprocess mode), each worker
writes its samples into memory-mapped files in that directory as it records them, and the
worker that answers a scrape reads every worker's files with prometheus-client's
``MultiProcessCollector``: one scrape shows the sum over all workers, exact at that moment.

That mode only aggregates prometheus-client's own metric objects, so here gati's instruments
are backed by them: ``MultiprocessMeterProvider`` answers the few OTel ``Meter`` calls gati
makes (``create_counter/histogram/gauge/observable_gauge``), and each instrument records
into a prometheus-client metric per label set. Names follow OpenTelemetry's Prometheus
exporter (``http.server.request.duration`` in ``s`` → ``http_server_request_duration_seconds``,
attribute dots → underscores), so a scrape reads the same with one worker or several.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, values

__all__ = ["ENV_DIR", "MultiprocessMeterProvider", "multiprocess_registry"]

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"
# OpenTelemetry SDK's default histogram boundaries, for instruments that advise none
_DEFAULT_BOUNDS = (0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0,
                   5000.0, 7500.0, 10000.0)  # fmt: skip
_UNITS = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": ""}
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def prometheus_name(name: str, unit: str = "") -> str:
    """The Prometheus name the OTel exporter would give ``name`` in ``unit``."""
    base = _INVALID.sub("_", name)
    suffix = "" if unit.startswith("{") else _UNITS.get(unit, _INVALID.sub("_", unit))
    return f"{base}_{suffix}" if suffix and not base.endswith("_" + suffix) else base


def multiprocess_registry() -> CollectorRegistry:
    """A registry reading every worker's samples from ``PROMETHEUS_MULTIPROC_DIR``."""
    if not getattr(values.ValueClass, "_multiprocess", False):
        raise RuntimeError(
            f"{ENV_DIR} must be set before prometheus_client is imported (set it in the "
            "environment of the server process, not in the application code)"
        )
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=os.environ[ENV_DIR])  # type: ignore[no-untyped-call]
    return registry


class _Instrument:
    """One OTel instrument over prometheus-client metrics, one per set of label names."""

    def __init__(self, make: Callable[[str, Sequence[str]], Any], name: str) -> None:
        self._make = make
        self._name = name
        self._metrics: dict[tuple[str, ...], Any] = {}

    def _child(self, attributes: Any) -> Any:
        keys = tuple(attributes) if attributes else ()
        metric = self._metrics.get(keys)
        if metric is None:
            labels = [_INVALID.sub("_", k) for k in keys]
            metric = self._metrics[keys] = self._make(self._name, labels)
        return metric.labels(*(str(v) for v in attributes.values())) if keys else metric

    def add(self, amount: float, attributes: Any = None) -> None:
        self._child(attributes).inc(amount)

    def record(self, amount: float, attributes: Any = None) -> None:
        self._child(attributes).observe(amount)

    def set(self, amount: float, attributes: Any = None) -> None:
        self._child(attributes).set(amount)


class _Meter:
    def __init__(self, provider: MultiprocessMeterProvider) -> None:
        self._provider = provider

    def create_counter(self, name: str, unit: str = "", description: str = "") -> _Instrument:
        def make(pname: str, labels: Sequence[str]) -> Any:
            return Counter(pname, description or name, labels, registry=None)

        return _Instrument(make, prometheus_name(name, unit))

    def create_histogram(
        self,
        name: str,
        unit: str = "",
        description: str = "",
        *,
        explicit_bucket_boundaries_advisory: Sequence[float] | None = None,
    ) -> _Instrument:
        bounds = tuple(explicit_bucket_boundaries_advisory or _DEFAULT_BOUNDS)

        def make(pname: str, labels: Sequence[str]) -> Any:
            return Histogram(pname, description or name, labels, registry=None, buckets=bounds)

        return _Instrument(make, prometheus_name(name, unit))

    def create_gauge(self, name: str, unit: str = "", description: str = "") -> _Instrument:
        def make(pname: str, labels: Sequence[str]) -> Any:
            return Gauge(pname, description or name, labels, registry=None,
                         multiprocess_mode="livemostrecent")  # fmt: skip

        return _Instrument(make, prometheus_name(name, unit))

    def create_observable_gauge(
        self,
        name: str,
        callbacks: Sequence[Callable[[Any], Iterable[Any]]] = (),
        unit: str = "",
        description: str = "",
    ) -> None:
        gauge = self.create_gauge(name, unit, description)
        self._provider.observed.extend((gauge, fn) for fn in callbacks)


class MultiprocessMeterProvider:
    """The meter provider of a multiprocess app: instruments over prometheus-client."""

    def __init__(self) -> None:
        self.observed: list[tuple[_Instrument, Callable[[Any], Iterable[Any]]]] = []
        self._meter = _Meter(self)

    def get_meter(self, name: str, *args: Any, **kwargs: Any) -> _Meter:
        return self._meter

    def observe(self) -> None:
        """Run the observable gauges' callbacks into this worker's samples (before a scrape)."""
        for gauge, callback in self.observed:
            for observation in callback(None):
                gauge.set(observation.value, observation.attributes)

    def shutdown(self) -> None:
        """This worker is stopping: its live gauges leave the sum (counters stay)."""
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
