"""``App(metrics_path=...)``: the app's OTel metrics in Prometheus text format.

OpenTelemetry's ``PrometheusMetricReader`` turns the metrics into Prometheus families, into a
registry of the app's own rather than ``prometheus_client``'s process-wide one, so two apps in
one process (tests, mounted apps) never serve each other's series.

With ``PROMETHEUS_MULTIPROC_DIR`` in the environment (several worker processes), the
instruments write into prometheus-client's multiprocess files instead and a scrape sums every
worker's (``gati.telemetry.multiprocess``).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from gati.telemetry.multiprocess import ENV_DIR

__all__ = ["PrometheusEndpoint"]


class PrometheusEndpoint:
    """A meter provider read by Prometheus scrapes, and the handler answering them."""

    def __init__(self) -> None:
        self.meter_provider: Any
        self.registry: CollectorRegistry
        # brings backend-queried gauges (queue depth) up to date before each scrape
        self.refresh: Callable[[], Awaitable[None]] | None = None
        if os.environ.get(ENV_DIR):
            from gati.telemetry.multiprocess import MultiprocessMeterProvider, multiprocess_registry

            self.registry = multiprocess_registry()
            self.meter_provider = MultiprocessMeterProvider()
            self.multiprocess = True
        else:
            from opentelemetry.exporter.prometheus import PrometheusMetricReader
            from opentelemetry.sdk.metrics import MeterProvider

            self.registry = CollectorRegistry(auto_describe=True)
            reader = PrometheusMetricReader(scope_info_enabled=False, registry=self.registry)
            self.meter_provider = MeterProvider(metric_readers=[reader])
            self.multiprocess = False

    async def handler(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Answer a scrape with every series of this app (of every worker, multiprocess)."""
        if self.refresh is not None:
            await self.refresh()
        if self.multiprocess:
            self.meter_provider.observe()
        res.send(generate_latest(self.registry), CONTENT_TYPE_LATEST)

    def shutdown(self) -> None:
        """The process is stopping (multiprocess: its live gauges leave the sum)."""
        if self.multiprocess:
            self.meter_provider.shutdown()
