"""``App(metrics_path=...)``: the app's OTel metrics in Prometheus text format.

OpenTelemetry's ``PrometheusMetricReader`` turns the metrics into Prometheus families, into a
registry of the app's own rather than ``prometheus_client``'s process-wide one, so two apps in
one process (tests, mounted apps) never serve each other's series.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

__all__ = ["PrometheusEndpoint"]


class PrometheusEndpoint:
    """A meter provider read by Prometheus scrapes, and the handler answering them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reader = PrometheusMetricReader(scope_info_enabled=False, registry=self.registry)
        self.meter_provider = MeterProvider(metric_readers=[reader])
        # brings backend-queried gauges (queue depth) up to date before each scrape
        self.refresh: Callable[[], Awaitable[None]] | None = None

    async def handler(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Answer a scrape with every series of this app."""
        if self.refresh is not None:
            await self.refresh()
        res.send(generate_latest(self.registry), CONTENT_TYPE_LATEST)
