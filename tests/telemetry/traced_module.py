"""A process module that traces into its own in-memory exporter and reports its spans, for
the propagation tests: ``python -m tests.telemetry.traced_module``."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gati import gt
from gati.modules import Method, ModuleManifest, serve

TRACED = ModuleManifest(
    "traced",
    version="1.0.0",
    runtime="process",
    methods={
        "echo": Method(input=gt.object({"value": gt.any()}), output=gt.any()),
        "spans": Method(input=gt.object({}), output=gt.any()),
    },
)
exporter = InMemorySpanExporter()


class Traced:
    async def echo(self, value: Any) -> Any:
        return value

    async def spans(self) -> Any:
        """The spans this process finished: name, kind, trace id, parent span id."""
        return [
            {
                "name": s.name,
                "kind": s.kind.name,
                "trace_id": f"{s.context.trace_id:032x}",
                "parent_id": None if s.parent is None else f"{s.parent.span_id:016x}",
                "remote_parent": s.parent is not None and s.parent.is_remote,
            }
            for s in exporter.get_finished_spans()
        ]


if __name__ == "__main__":
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    serve(Traced(), TRACED, tracer_provider=provider)
