"""Hypothesis properties for the day-one behaviour: every response passes the after hooks in
reverse order once (Property 25), every error response is a well-formed problem (Property 12),
and response values beyond plain JSON encode to what their documented JSON form says."""

from __future__ import annotations

import decimal
import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import App, HTTPError
from gati.http.encoding import encode_json
from gati.testing import TestClient

OUTCOMES = st.sampled_from(["ok", "http", "crash", "missing", "method"])


def build(order: list[str]) -> App:
    app = App()
    for name in ("g1", "g2"):

        async def after(req: Any, res: Any, lctx: Any, gctx: Any, name: str = name) -> None:
            order.append(name)

        app.hook("after", after)

    @app.get("/run")
    async def run(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        kind, status = req.query["kind"], int(req.query["status"])
        if kind == "http":
            raise HTTPError(status, "told to fail")
        if kind == "crash":
            raise RuntimeError("crash")
        return {"ok": True}

    return app


ORDER: list[str] = []
CLIENT = TestClient(build(ORDER))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=OUTCOMES, status=st.integers(400, 599))
def test_property_25_12_after_hooks_see_every_response_and_errors_are_problems(
    kind: str, status: int
) -> None:
    ORDER.clear()
    if kind == "missing":
        r, expected = CLIENT.get("/elsewhere"), 404
    elif kind == "method":
        r, expected = CLIENT.post("/run"), 405
    else:
        r = CLIENT.get("/run", params={"kind": kind, "status": str(status)})
        expected = {"ok": 200, "http": status, "crash": 500}[kind]
    assert r.status_code == expected
    assert ORDER == ["g2", "g1"]
    if expected >= 400:
        problem = r.json()
        assert r.headers["content-type"] == "application/problem+json"
        assert problem["status"] == expected
        assert problem["request_id"] == r.headers["x-request-id"]
        assert {"type", "title", "detail"} <= problem.keys()


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=8))
documented = st.one_of(
    json_leaf,
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.frozensets(st.integers(0, 50), max_size=4),
    st.binary(max_size=8),
    st.uuids(),
)


def expected_json(value: Any) -> Any:
    """The documented JSON form of one value (docs/http.md, "JSON encoding")."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(0, 100), documented, max_size=6))
def test_values_with_a_documented_json_form_encode_to_it(value: dict[int, Any]) -> None:
    decoded = json.loads(encode_json({"items": [value]}))  # exact for integers beyond 64 bits
    assert decoded == {"items": [{str(k): expected_json(v) for k, v in value.items()}]}


def test_a_secret_in_a_response_is_sent_redacted() -> None:
    from gati.secrets import Secret

    body = encode_json({"token": Secret("s3cr3t-value"), "items": [Secret(7)]})
    assert b"s3cr3t" not in body
    assert json.loads(body) == {"token": "**********", "items": ["**********"]}
