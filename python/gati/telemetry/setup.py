"""What ``App(telemetry=..., metrics_path=...)`` sets up (the app imports this lazily)."""

from __future__ import annotations

from typing import Any

from gati.telemetry.server import Telemetry

__all__ = ["set_up"]

METRICS_ID = "gati.metrics"


def set_up(app: Any, telemetry: Any, metrics_path: str | None) -> Telemetry:
    """Instrument ``app``; with ``metrics_path``, serve its metrics there.

    A metrics path alone measures requests too (metrics need the step); spans then go to the
    global tracer provider, a no-op unless the application configured one.
    """
    if telemetry not in (True, False, "detailed"):
        raise ValueError(f'telemetry= takes True, False or "detailed", not {telemetry!r}')
    meter_provider = None
    if metrics_path is not None:
        if not isinstance(metrics_path, str) or not metrics_path.startswith("/"):
            raise ValueError(f"metrics_path must be a path starting with '/', not {metrics_path!r}")
        from gati.telemetry.prometheus import PrometheusEndpoint

        endpoint = PrometheusEndpoint()
        meter_provider = endpoint.meter_provider
        app.get(metrics_path, id=METRICS_ID, timeout=None, rate_limit=False)(endpoint.handler)
        app.gctx.on_shutdown(endpoint.shutdown)
    instrumented = Telemetry(detailed=telemetry == "detailed", meter_provider=meter_provider)
    instrumented.attach(app)
    if metrics_path is not None:
        endpoint.refresh = instrumented.refresh
    return instrumented
