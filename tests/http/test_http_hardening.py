"""Hostile requests within the limits: every failure is a problem+json with ``X-Request-ID``,
path and query numbers follow JSON's number grammar, and caches keyed by client input stay
bounded. Run on both backends (``GATI_BACKEND``); the router cases are also differential."""

from __future__ import annotations

import gc
import inspect
import os
import subprocess
import sys
import tracemalloc
from typing import Any

import pytest

import gati
from gati import App, gt
from gati._backend import pair
from tests.http.conftest import call_raw

NINES_INT = "9" * 4301
NINES_FLOAT = "9" * 400


def numbers_app() -> App:
    app = App()

    @app.get("/items/{id:int}")
    async def item(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["id"]}

    @app.get("/prices/{p:float}")
    async def price(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"p": req.path_params["p"]}

    @app.get("/list", query=gt.object({"limit": gt.optional(gt.integer())}))
    async def listing(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"limit": req.query_validated.get("limit")}

    @app.get("/scale", query=gt.object({"x": gt.optional(gt.number())}))
    async def scale(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"x": req.query_validated.get("x")}

    return app


def assert_problem(raw: Any, status: int) -> None:
    assert raw.status == status, raw.body
    assert raw.headers["content-type"] == "application/problem+json"
    assert raw.headers["x-request-id"] == raw.json()["request_id"]


# -- item 16: everything App.__call__ does is inside the error mapping ----
async def test_an_int_path_past_python_int_limit_is_a_404_problem() -> None:
    raw = await call_raw(numbers_app(), "GET", "/items/" + NINES_INT)
    assert_problem(raw, 404)


async def test_an_int_path_of_leading_zeros_is_a_404_like_the_native_router() -> None:
    raw = await call_raw(numbers_app(), "GET", "/items/" + "0" * 4400 + "42")
    assert_problem(raw, 404)


@pytest.mark.parametrize("segment", ["007", "-01", "٥", "５", "+5", "1_0", "1e3"])
async def test_an_int_path_that_is_not_a_json_integer_is_a_404_naming_the_parameter(
    segment: str,
) -> None:
    raw = await call_raw(numbers_app(), "GET", "/items/" + segment)
    assert_problem(raw, 404)
    assert "parameter 'id' did not convert to int" in raw.json()["detail"]


@pytest.mark.parametrize(("segment", "value"), [("-7", -7), ("0", 0), ("1.5e2", 150.0)])
async def test_path_numbers_in_json_grammar_convert(segment: str, value: float) -> None:
    kind = "items" if isinstance(value, int) else "prices"
    raw = await call_raw(numbers_app(), "GET", f"/{kind}/{segment}")
    assert raw.status == 200 and list(raw.json().values()) == [value]


async def test_a_content_length_of_thousands_of_digits_is_a_413_problem() -> None:
    headers = [(b"content-length", NINES_INT.encode())]
    raw = await call_raw(numbers_app(), "GET", "/items/1", headers=headers)
    assert_problem(raw, 413)


async def test_an_ingress_failure_is_a_500_problem_with_a_request_id() -> None:
    raw = await call_raw(numbers_app(), "GET", "/items/1", headers=[(b"x-request-id",)])  # type: ignore[list-item]
    assert_problem(raw, 500)


async def test_a_routing_failure_is_a_500_problem_with_a_request_id() -> None:
    app = numbers_app()

    class Broken:
        def resolve(self, method: str, path: str) -> Any:
            raise RuntimeError("router state is broken")

    app.routes = Broken()  # type: ignore[assignment]
    raw = await call_raw(app, "GET", "/items/1", headers=[(b"x-request-id", b"abc")])
    assert_problem(raw, 500)
    assert raw.headers["x-request-id"] == "abc"


@pytest.mark.parametrize(
    "segment",
    [NINES_INT, "0" * 4301 + "1", "9223372036854775807", "9223372036854775808", "٥", "５"],
)
def test_both_routers_agree_on_hostile_int_segments(segment: str) -> None:
    pytest.importorskip("gati._native")
    answers = []
    for router_class in pair("Router"):
        router = router_class()
        router.insert([("static", "items"), ("int", "id")])
        answers.append(router.lookup("/items/" + segment))
    assert answers[0] == answers[1]


# -- item 17: non-finite floats do not convert ----
async def test_a_float_path_too_large_for_a_double_is_a_404() -> None:
    raw = await call_raw(numbers_app(), "GET", "/prices/" + NINES_FLOAT)
    assert_problem(raw, 404)
    ok = await call_raw(numbers_app(), "GET", "/prices/12.5")
    assert ok.json() == {"p": 12.5}


def test_both_routers_refuse_an_infinite_float() -> None:
    pytest.importorskip("gati._native")
    for router_class in pair("Router"):
        router = router_class()
        router.insert([("float", "p")])
        assert router.lookup("/" + NINES_FLOAT) is None
        assert router.lookup("/" + "9" * 300) is not None


# -- item 19: query numbers follow JSON's grammar, ASCII digits only ----
@pytest.mark.parametrize("text", ["５", "٥", "1_0", " 5 ", "\n5", "+5", "05", "5.0", "0x5"])
async def test_a_query_integer_outside_json_grammar_is_refused(text: str) -> None:
    query = b"limit=" + text.encode().replace(b" ", b"%20").replace(b"\n", b"%0A")
    raw = await call_raw(numbers_app(), "GET", "/list", query=query)
    assert_problem(raw, 400)


@pytest.mark.parametrize(("text", "value"), [("5", 5), ("-12", -12), ("0", 0)])
async def test_a_query_integer_in_json_grammar_converts(text: str, value: int) -> None:
    raw = await call_raw(numbers_app(), "GET", "/list", query=b"limit=" + text.encode())
    assert raw.status == 200 and raw.json() == {"limit": value}


@pytest.mark.parametrize("text", ["１.5", "1_0.5", "inf", "nan", "1e999", ".5", "5.", "Infinity"])
async def test_a_query_number_outside_json_grammar_or_finite_values_is_refused(text: str) -> None:
    raw = await call_raw(numbers_app(), "GET", "/scale", query=b"x=" + text.encode())
    assert_problem(raw, 400)


@pytest.mark.parametrize(("text", "value"), [("1.5", 1.5), ("-2e3", -2000.0), ("7", 7)])
async def test_a_query_number_in_json_grammar_converts(text: str, value: float) -> None:
    raw = await call_raw(numbers_app(), "GET", "/scale", query=b"x=" + text.encode())
    assert raw.status == 200 and raw.json() == {"x": value}


# -- item 4: caches keyed by client input are bounded ----
async def test_memory_stays_flat_over_100000_distinct_client_values() -> None:
    """12,500 requests, each with 8 values no other request sends (path segment, request id,
    version preference, flag, user agent, trace id, query value, query key): 100,000 distinct
    client values, and none of them is remembered after its request (traced by tracemalloc)."""
    app = App()

    @app.get("/users/{name}", query=gt.object({"limit": gt.optional(gt.integer())}))
    async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"name": req.path_params["name"]}

    async def one(i: int) -> None:
        path = f"/users/u{i}" if i % 2 else f"/missing/{i}"
        headers = [
            (b"x-request-id", b"rid-%d" % i),
            (b"gati-version", b"2025-%d" % i),
            (b"gati-flags", b"f%d" % i),
            (b"user-agent", b"agent/%d" % i),
            (b"traceparent", b"00-%032x-%016x-01" % (i + 1, i + 1)),
        ]
        query = b"limit=%d&k%d=v" % (i, i)
        raw = await call_raw(app, "GET", path, headers=headers, query=query)
        assert raw.status == (200 if i % 2 else 404), raw.body

    for i in range(2_000):
        await one(i)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2_000, 14_500):
            await one(i)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, f"{grown} bytes kept after 100,000 distinct client values"


# -- item 7: the public surface ----
def test_the_asgi_entry_point_has_no_test_only_parameter() -> None:
    parameters = list(inspect.signature(App.__call__).parameters)
    assert parameters[:4] == ["self", "scope", "receive", "send"]
    assert "routed" not in parameters


def test_the_lifecycle_engine_is_not_in_the_top_level_api() -> None:
    for name in ("Orchestrator", "RoutePlan", "plan_route", "Emitter"):
        assert name not in gati.__all__ and not hasattr(gati, name), name
    from gati.lifecycle import Emitter, Orchestrator, RoutePlan, plan_route

    assert all((Emitter, Orchestrator, RoutePlan, plan_route))


def test_gati_testing_without_httpx_says_what_to_install() -> None:
    code = "import sys; sys.modules['httpx'] = None; import gati.testing"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=os.environ
    )
    assert out.returncode != 0
    assert "pip install 'gati[testing]'" in out.stderr, out.stderr
