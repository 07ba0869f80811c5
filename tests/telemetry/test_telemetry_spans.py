"""Server spans: name, HTTP semantic conventions and gati attributes (Property 22), status,
``traceparent`` continued, hook child spans and lifecycle events with ``"detailed"``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from gati import App, gt
from gati.telemetry import instrument
from gati.testing import TestClient
from tests.telemetry.conftest import Sink


def make_app(sink: Sink, *, detailed: bool = False, **options: Any) -> App:
    app = App(**options)

    @app.get("/users/{id:int}")
    async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json({"id": req.path_params["id"], "span": trace.get_current_span().is_recording()})

    @app.get("/boom")
    async def boom(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise RuntimeError("boom")

    instrument(
        app,
        detailed=detailed,
        tracer_provider=sink.tracer_provider,
        meter_provider=sink.meter_provider,
    )
    return app


def test_one_server_span_named_by_route_template(sink: Sink) -> None:
    client = TestClient(make_app(sink))
    r = client.get("/users/7", headers={"user-agent": "probe/1"})
    assert r.status_code == 200 and r.json() == {"id": 7, "span": True}
    span = sink.server_span()
    assert span.name == "GET /users/{id:int}"
    assert span.kind is SpanKind.SERVER
    a = span.attributes or {}
    assert a["http.request.method"] == "GET"
    assert a["http.route"] == "/users/{id:int}"
    assert a["http.response.status_code"] == 200
    assert a["url.path"] == "/users/7"
    assert a["url.scheme"] == "http"
    assert a["client.address"] == "127.0.0.1"
    assert a["user_agent.original"] == "probe/1"
    assert a["gati.request_id"] == r.headers["x-request-id"]
    assert a["gati.handler_id"]
    assert span.status.status_code is StatusCode.UNSET


def test_routing_failure_span_is_named_by_the_method_only(sink: Sink) -> None:
    client = TestClient(make_app(sink))
    assert client.get("/nowhere").status_code == 404
    span = sink.server_span()
    assert span.name == "GET"
    a = span.attributes or {}
    assert "http.route" not in a
    assert a["http.response.status_code"] == 404
    assert span.status.status_code is StatusCode.UNSET


def test_5xx_sets_error_status_and_records_the_exception(sink: Sink) -> None:
    client = TestClient(make_app(sink))
    assert client.get("/boom").status_code == 500
    span = sink.server_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["http.response.status_code"] == 500
    assert (span.attributes or {})["error.type"] == "RuntimeError"
    assert [e.name for e in span.events] == ["handler.error", "exception"]


def test_incoming_traceparent_is_continued(sink: Sink) -> None:
    client = TestClient(make_app(sink))
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    parent_id = "00f067aa0ba902b7"
    client.get("/users/1", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    span = sink.server_span()
    assert f"{span.context.trace_id:032x}" == trace_id
    assert span.parent is not None and f"{span.parent.span_id:016x}" == parent_id
    assert span.parent.is_remote


def test_malformed_traceparent_starts_a_new_trace(sink: Sink) -> None:
    client = TestClient(make_app(sink))
    client.get("/users/1", headers={"traceparent": "00-zz-yy-01"})
    assert sink.server_span().parent is None


def test_spans_made_by_the_handler_are_children_of_the_server_span(sink: Sink) -> None:
    app = App()
    tracer = sink.tracer_provider.get_tracer("app")

    @app.get("/work")
    async def work(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        with tracer.start_as_current_span("inner"):
            res.text("done")

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    TestClient(app).get("/work")
    (inner,) = [s for s in sink.finished() if s.name == "inner"]
    server = sink.server_span()
    assert inner.parent is not None and inner.parent.span_id == server.context.span_id


def test_routes_registered_after_instrument_are_traced(sink: Sink) -> None:
    app = make_app(sink)

    @app.get("/later")
    async def later(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.text("ok")

    TestClient(app).get("/later")
    assert sink.server_span().name == "GET /later"


def test_detailed_adds_hook_spans_and_lifecycle_events(sink: Sink) -> None:
    app = App()
    tries = []

    @app.hook("before", id="flaky", retries=1, backoff=0.0)
    async def flaky(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        tries.append(1)
        if len(tries) == 1:
            raise ConnectionError("first try fails")

    @app.get("/items/{n:int}")
    async def item(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json(req.path_params["n"])

    instrument(
        app, detailed=True, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider
    )
    assert TestClient(app).get("/items/3").status_code == 200
    server = sink.server_span()
    hooks = [s for s in sink.finished() if s.name.startswith("hook ")]
    assert [s.name for s in hooks] == ["hook flaky", "hook flaky"]
    assert all(s.parent is not None and s.parent.span_id == server.context.span_id for s in hooks)
    assert hooks[0].status.status_code is StatusCode.ERROR
    assert [e.name for e in server.events] == ["hook.error", "hook.retry"]
    assert server.events[0].attributes == {
        "hook_id": "flaky",
        "attempt": 1,
        "error": "ConnectionError: first try fails",
    }


def test_detailed_takes_event_tuples_as_a_tracer(sink: Sink) -> None:
    """``"detailed"`` is a lifecycle tracer: no listener, so no event dict is ever built."""
    app = make_app(sink, detailed=True)
    assert app.emitter.listeners == () and app.emitter.failure_listeners == ()
    assert len(app.emitter.tracers) == 1
    assert TestClient(app).get("/users/1").status_code == 200
    assert sink.server_span().name == "GET /users/{id:int}"


def test_detailed_compensation_alert_is_a_span_event(sink: Sink) -> None:
    app = App()

    @app.get("/pay")
    async def pay(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        def refund() -> None:
            raise OSError("refund failed")

        lctx.compensate(refund)
        raise RuntimeError("payment failed")

    instrument(
        app, detailed=True, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider
    )
    assert TestClient(app).get("/pay").status_code == 500
    events = {e.name: e.attributes for e in sink.server_span().events}
    assert events["handler.error"] == {"error": "RuntimeError: payment failed"}
    alert = events["compensation.alert"] or {}
    assert alert["error"] == "OSError: refund failed" and "refund" in str(alert["hook_id"])


async def test_detailed_hook_spans_of_concurrent_requests_sharing_a_request_id(
    sink: Sink,
) -> None:
    """Each request's hook spans are children of its own server span, even when two requests
    in flight at once carry the same client-chosen ``X-Request-ID``."""
    import asyncio

    import httpx

    app = App()
    both_in = asyncio.Barrier(2)

    @app.hook("before", id="meet")
    async def meet(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await asyncio.wait_for(both_in.wait(), 5)

    @app.get("/r/{n:int}")
    async def r(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json(req.path_params["n"])

    instrument(
        app, detailed=True, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        got = await asyncio.gather(
            *(client.get(f"/r/{n}", headers={"x-request-id": "same-id-1"}) for n in (1, 2))
        )
    assert [g.status_code for g in got] == [200, 200]
    servers = [s for s in sink.finished() if s.kind is SpanKind.SERVER]
    hooks = [s for s in sink.finished() if s.name == "hook meet"]
    assert len(servers) == 2 and len(hooks) == 2
    assert {h.parent.span_id for h in hooks if h.parent} == {s.context.span_id for s in servers}


@pytest.mark.parametrize("detailed", [False, True])
def test_failures_are_span_events_with_or_without_detailed(sink: Sink, detailed: bool) -> None:
    app = App()
    tries = []

    @app.hook("before", id="flaky", retries=1, backoff=0.0)
    async def flaky(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        tries.append(1)
        if len(tries) % 2:
            raise ConnectionError("first try fails")

    @app.get("/items", query=gt.object({"n": gt.integer()}))
    async def items(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json(req.query["n"])

    @app.hook("before", id="fails")
    async def fails(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if req.path == "/broken":
            raise RuntimeError("hook broke")

    @app.get("/broken")
    async def broken(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json(1)

    instrument(
        app,
        detailed=detailed,
        tracer_provider=sink.tracer_provider,
        meter_provider=sink.meter_provider,
    )
    client = TestClient(app)
    assert client.get("/items", params={"n": "x"}).status_code == 400
    events = sink.server_span().events
    assert [e.name for e in events][:3] == ["hook.error", "hook.retry", "validation.error"]
    assert (events[2].attributes or {})["error"].startswith("RequestInvalid")
    sink.spans.clear()
    assert client.get("/broken").status_code == 500
    events = sink.server_span().events
    failed = [e for e in events if e.name == "hook.error" and e.attributes["hook_id"] == "fails"]
    assert failed and failed[0].attributes["error"] == "RuntimeError: hook broke"


def test_succeeding_requests_build_no_lifecycle_event_without_detailed(sink: Sink) -> None:
    app = make_app(sink)
    assert app.emitter.listeners == ()
    assert app.emitter.failure_listeners != ()


def test_timeout_is_a_span_event(sink: Sink) -> None:
    import asyncio

    app = App()

    @app.get("/slow", timeout=0.01)
    async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await asyncio.sleep(5)

    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    assert TestClient(app).get("/slow").status_code == 504
    span = sink.server_span()
    assert [e.name for e in span.events] == ["request.timeout"]
    assert span.status.status_code is StatusCode.ERROR


def versioned_app(sink: Sink, detailed: bool) -> App:
    app = App()
    for version in ("2025-01-01", "2025-06-01"):

        @app.get("/users/{id:int}", version=version)
        async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            res.json({"id": req.path_params["id"]})

    instrument(
        app,
        detailed=detailed,
        tracer_provider=sink.tracer_provider,
        meter_provider=sink.meter_provider,
    )
    return app


@pytest.mark.parametrize("detailed", [False, True])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(min_value=0, max_value=10**9),
    rid=st.from_regex(r"[A-Za-z0-9]{8,32}", fullmatch=True),
    asked=st.sampled_from([None, "2025-01-01", "2025-03-01", "2025-06-01", "2030-01-01"]),
)
def test_property_22_span_attributes(
    sink: Sink, detailed: bool, n: int, rid: str, asked: str | None
) -> None:
    """Property 22: every request's server span carries the route, method, status, path, its
    own request id, handler id and resolved version, whatever the request."""
    sink.spans.clear()
    client = TestClient(versioned_app(sink, detailed))
    headers = {"x-request-id": rid}
    if asked is not None:
        headers["gati-version"] = asked
    r = client.get(f"/users/{n}", headers=headers)
    a = sink.server_span().attributes or {}
    assert a["gati.request_id"] == r.headers["x-request-id"]
    assert a["http.route"] == "/users/{id:int}"
    assert a["http.request.method"] == "GET"
    assert a["http.response.status_code"] == r.status_code == 200
    assert a["url.path"] == f"/users/{n}"
    assert a["gati.handler_id"]
    assert a["gati.version"] == r.headers["gati-version"]
    expected = "2025-01-01" if asked in ("2025-01-01", "2025-03-01") else "2025-06-01"
    assert a["gati.version"] == expected


@pytest.mark.parametrize("instrument_first", [True, False])
def test_requests_refused_by_a_policy_are_traced(sink: Sink, instrument_first: bool) -> None:
    """The telemetry step runs ahead of the policies' steps, whenever it was added."""

    async def nobody(req: Any) -> None:
        return None

    app = App(auth=nobody)

    def add_route() -> None:
        @app.get("/private")
        async def private(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            res.text("secret")

    if not instrument_first:
        add_route()
    instrument(app, tracer_provider=sink.tracer_provider, meter_provider=sink.meter_provider)
    if instrument_first:
        add_route()
    assert TestClient(app).get("/private").status_code == 401
    span = sink.server_span()
    assert span.name == "GET /private"
    assert (span.attributes or {})["http.response.status_code"] == 401
