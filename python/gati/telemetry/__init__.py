"""OpenTelemetry traces and metrics for gati apps (docs/telemetry.md; the ``otel`` extra).

``App(telemetry=True | "detailed")`` or ``instrument(app, tracer_provider=, meter_provider=)``.
This package imports ``opentelemetry`` only when telemetry is turned on: ``import gati`` and
an app with telemetry off never load it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["instrument"]


def instrument(
    app: Any,
    *,
    detailed: bool = False,
    tracer_provider: Any = None,
    meter_provider: Any = None,
) -> Any:
    """Trace and measure every request of ``app``; returns the ``Telemetry`` in use.

    Without providers, the global ones (``opentelemetry.trace``/``metrics``) are used.
    ``detailed`` adds a child span and a duration per hook run and the lifecycle events.
    """
    from gati.telemetry.server import Telemetry

    if not hasattr(app, "add_step"):
        raise TypeError(f"instrument() takes a gati App, not {type(app).__name__}")
    if not isinstance(detailed, bool):
        raise TypeError(f"detailed= takes True or False, not {detailed!r}")
    telemetry = Telemetry(
        detailed=detailed, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    telemetry.attach(app)
    return telemetry
