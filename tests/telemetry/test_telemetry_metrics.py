"""Request metrics, hook durations and ``gctx.metrics`` through the OTel API (Property 30),
and the Prometheus endpoint read back with ``prometheus_client``'s parser."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from gati import App
from gati.context.metrics import NO_METRICS
from gati.telemetry import instrument
from gati.testing import AsyncTestClient, TestClient
from tests.telemetry.conftest import Sink


def make_app(**options: Any) -> App:
    app = App(**options)

    @app.get("/a/{n:int}")
    async def a(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        gctx.metrics.counter("orders", 2, shop="north")
        gctx.metrics.gauge("queue.depth", req.path_params["n"])
        gctx.metrics.histogram("order.size", 1.5, shop="north")
        res.text("a")

    @app.post("/b", version="2025-01-01")
    async def b(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(201).text("b")

    return app


def by_labels(points: list[Any], *keys: str) -> dict[tuple[Any, ...], Any]:
    return {tuple(p.attributes.get(k) for k in keys): p for p in points}


REQUEST_KEYS = ("http.request.method", "http.route", "http.response.status_code", "gati.version")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(["GET /a/1", "POST /b", "GET /missing"]),
            st.sampled_from([None, "2025-01-01", "2030-01-01", "nonsense"]),
        ),
        max_size=12,
    )
)
def test_property_30_request_count_and_duration_by_route_method_status_version(
    sink: Sink, calls: list[tuple[str, str | None]]
) -> None:
    """Property 30: each request adds one sample to the duration histogram of its (method,
    route, status, version) series, and nothing else; the histogram's count is the request
    count."""
    app = make_app()
    reader_sink = Sink(sink.spans, *_fresh_metrics())
    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=reader_sink.meter_provider)
    client = TestClient(app)
    expected: Counter[tuple[Any, ...]] = Counter()
    for call, version in calls:
        method, path = call.split()
        headers = {} if version is None else {"gati-version": version}
        r = client.request(method, path, headers=headers)
        # an unknown version is refused like a routing failure (400, no route)
        route = None if r.status_code == 400 else {"/a/1": "/a/{n:int}", "/b": "/b"}.get(path)
        expected[(method, route, r.status_code, r.headers.get("gati-version"))] += 1
    durations = by_labels(reader_sink.points("http.server.request.duration"), *REQUEST_KEYS)
    assert {k: p.count for k, p in durations.items()} == dict(expected)
    assert all(p.sum >= 0 for p in durations.values())


def _fresh_metrics() -> tuple[Any, Any, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    reader = InMemoryMetricReader()
    return reader, TracerProvider(), MeterProvider(metric_readers=[reader])


def test_gctx_metrics_record_through_the_meter(sink: Sink) -> None:
    app = make_app()
    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    client = TestClient(app)
    client.get("/a/4")
    client.get("/a/9")
    (orders,) = sink.points("orders")
    assert orders.value == 4 and dict(orders.attributes) == {"shop": "north"}
    (depth,) = sink.points("queue.depth")
    assert depth.value == 9
    (size,) = sink.points("order.size")
    assert size.count == 2 and size.sum == 3.0


def test_gctx_metrics_without_telemetry_accept_and_drop_but_check_arguments() -> None:
    app = make_app()
    assert app.gctx.metrics is NO_METRICS
    assert TestClient(app).get("/a/1").text == "a"
    with pytest.raises(TypeError):
        NO_METRICS.counter("", 1)
    with pytest.raises(TypeError):
        NO_METRICS.gauge("g", "3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NO_METRICS.counter("c", -1)


def test_telemetry_metrics_check_arguments_the_same_way(sink: Sink) -> None:
    app = make_app()
    telemetry = instrument(app, meter_provider=sink.meter_provider)
    with pytest.raises(TypeError):
        telemetry.recorder.histogram("h", True)
    with pytest.raises(ValueError):
        telemetry.recorder.counter("c", -1)


def test_detailed_records_hook_durations(sink: Sink) -> None:
    app = make_app()

    @app.hook("before", id="stamp")
    async def stamp(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        pass

    instrument(
        app, detailed=True, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider
    )
    client = TestClient(app)
    client.get("/a/1")
    client.get("/a/1")
    (point,) = sink.points("gati.hook.duration")
    assert dict(point.attributes) == {"gati.hook_id": "stamp"} and point.count == 2


def scrape(client: TestClient, path: str = "/metrics") -> dict[str, Any]:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {f.name: f for f in text_string_to_metric_families(r.text)}


def samples(family: Any, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Values by their labels; an empty label is an absent one (the exporter fills them in)."""
    return {
        tuple(sorted((k, v) for k, v in s.labels.items() if v)): s.value
        for s in family.samples
        if s.name == name
    }


def test_metrics_path_serves_prometheus_text() -> None:
    client = TestClient(make_app(telemetry=True, metrics_path="/metrics"))
    for _ in range(3):
        client.get("/a/2")
    client.post("/b")
    client.get("/missing")
    families = scrape(client)
    duration = families["http_server_request_duration_seconds"]
    assert duration.type == "histogram"
    requests = samples(duration, "http_server_request_duration_seconds_count")
    assert (
        requests[
            (
                ("http_request_method", "GET"),
                ("http_response_status_code", "200"),
                ("http_route", "/a/{n:int}"),
            )
        ]
        == 3
    )
    assert (
        requests[
            (
                ("gati_version", "2025-01-01"),
                ("http_request_method", "POST"),
                ("http_response_status_code", "201"),
                ("http_route", "/b"),
            )
        ]
        == 1
    )
    assert requests[(("http_request_method", "GET"), ("http_response_status_code", "404"))] == 1
    assert sum(requests.values()) == 5
    assert samples(families["orders"], "orders_total") == {(("shop", "north"),): 6}


def test_each_app_serves_only_its_own_series() -> None:
    first = TestClient(make_app(metrics_path="/metrics"))
    second = TestClient(make_app(metrics_path="/metrics"))
    first.get("/a/1")
    first.get("/a/1")
    second.post("/b")
    name = "http_server_request_duration_seconds"
    got = samples(scrape(first)[name], name + "_count")
    assert sorted(dict(k)["http_route"] for k in got) == ["/a/{n:int}"]
    got = samples(scrape(second)[name], name + "_count")
    assert sorted(dict(k)["http_route"] for k in got) == ["/b"]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"telemetry": "verbose"}, ValueError),
        ({"metrics_path": "metrics"}, ValueError),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        App(**options)


def test_an_app_is_instrumented_once(sink: Sink) -> None:
    # a second instrument() added a second step: two server spans and double counts per request
    app = App(telemetry=True)
    with pytest.raises(ValueError, match="this app is instrumented already"):
        instrument(app, tracer_provider=sink.tracer_provider)
    assert [step.id for step in app.steps] == ["gati.telemetry"]
    with pytest.raises(TypeError, match="detailed= takes True or False, not 'yes'"):
        instrument(App(), detailed="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="instrument\\(\\) takes a gati App, not int"):
        instrument(5)


def test_instrument_stays_callable_once_telemetry_is_loaded() -> None:
    import gati.telemetry

    App(telemetry=True)
    assert callable(gati.telemetry.instrument)


async def test_rate_limit_rejections_module_calls_and_queue_depth_are_scraped() -> None:
    from tests.telemetry.test_telemetry_propagation import CLOCK, Clock

    app = App(telemetry=True, metrics_path="/metrics")
    app.module(CLOCK, Clock())

    @app.get("/limited", rate_limit="2/hour")
    async def limited(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": True}

    @app.get("/time")
    async def time(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return await gctx.modules.clock.now()

    @app.get("/broken")
    async def broken(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return await gctx.modules.clock.fail()

    gate = asyncio.Event()

    async def stuck(message: Any) -> None:
        await gate.wait()

    async with AsyncTestClient(app) as client:
        assert [(await client.get("/limited")).status_code for _ in range(5)] == [200] * 2 + [
            429
        ] * 3
        for _ in range(2):
            assert (await client.get("/time")).status_code == 200
        assert (await client.get("/broken")).status_code == 500
        await app.gctx.subscribe("jobs", stuck, group="workers")
        for i in range(4):
            await app.gctx.publish("jobs", i)
        r = await client.get("/metrics")
        gate.set()
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    rejected = samples(families["gati_ratelimit_rejections"], "gati_ratelimit_rejections_total")
    assert rejected == {(("gati_ratelimit_policy", "2;w=3600"), ("http_route", "/limited")): 3}
    calls = samples(
        families["gati_module_call_duration_seconds"], "gati_module_call_duration_seconds_count"
    )
    ok = (("gati_module", "clock"), ("gati_module_method", "now"), ("gati_module_outcome", "ok"))
    failed = (
        ("gati_module", "clock"),
        ("gati_module_method", "fail"),
        ("gati_module_outcome", "error"),
    )
    assert calls == {ok: 2, failed: 1}
    depth = samples(families["gati_fabric_queue_depth"], "gati_fabric_queue_depth")
    assert depth == {(("gati_fabric_group", "workers"), ("messaging_destination_name", "jobs")): 4}
