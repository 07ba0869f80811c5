"""``RecordCore``, the record made in one call and closed in one call: the native twin against
the pure one (Hypothesis), and each behaviour it promises (the response taken as sent, the size
counted, ``keep`` called once, a failure logged and never raised, GC of cycles)."""

from __future__ import annotations

import decimal
import gc
import logging
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import Response as StarletteResponse

from gati import LocalContext, Response
from gati._backend import pair
from gati.http.ingress import new_ingress
from gati.playground.record import REPLAY_KEY, Record

native_core, pure_core = pair("RecordCore")
CORES = pytest.mark.parametrize("core", [native_core, pure_core], ids=["native", "pure"])

BYTES = st.binary(max_size=40)
HEADERS = st.lists(st.tuples(BYTES, BYTES), max_size=5)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.binary(max_size=12),
    st.builds(decimal.Decimal, st.integers()),  # counted by its repr
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=30,
)
STATES = st.lists(st.dictionaries(st.text(max_size=8), VALUES, max_size=4), max_size=3)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
RESPONSES = st.one_of(
    st.tuples(st.just("json"), st.integers(200, 599), JSON),
    st.tuples(
        st.just("send"),
        st.integers(200, 599),
        st.tuples(BYTES, st.sampled_from(["text/plain", b"a/b"])),
    ),
    st.tuples(st.just("delegate"), st.integers(200, 599), st.tuples(BYTES, HEADERS)),
    st.tuples(st.just("unrenderable"), st.integers(200, 599), st.none()),
)


def response(kind: str, status: int, detail: Any) -> Response:
    res = Response().status(status)
    if kind == "json":
        res.json(detail)
    elif kind == "send":
        res.send(*detail)
    elif kind == "delegate":
        body, headers = detail
        out = StarletteResponse(body, status)
        out.raw_headers.extend((k.lower() or b"x", v) for k, v in headers)
        res.delegate(out)
    else:
        res.json(object())  # not JSON: rendering fails, the record shows no body
    return res


def recorded(core: Any, case: dict[str, Any]) -> tuple[Any, list[Any], Response]:
    """A record of ``case`` made with ``core`` and closed; returns it, what ``keep`` got, and
    the response."""
    lctx = LocalContext("r1", method="POST", path=case["path"], route="/x")
    res = response(*case["response"])
    scope: dict[str, Any] = {"headers": case["headers"]}
    if case["query"] is not None:
        scope["query_string"] = case["query"]
    if case["replay_of"] is not None:
        scope[REPLAY_KEY] = case["replay_of"]
    kept: list[Any] = []
    record = core(scope, new_ingress(), lctx, res, kept.append)
    record.request_body = case["body"]
    record.append(("request.start", 0, None, 0, None, None, None))
    for i, state in enumerate(case["states"]):
        for key, value in state.items():
            lctx.state.set(key, value)
        record.append(("hook.end", i + 1, None, 1, 1, None, lctx.state_snapshot()))
    record.end(("request.end", 9, None, 0, 9, None, None))
    record.end(("request.end", 10, None, 0, 10, None, None))  # a second end keeps nothing
    return record, kept, res


def seen(record: Any) -> tuple[Any, ...]:
    return (
        record.status,
        record.response_body,
        record.response_media_raw,
        record.sent_headers,
        record.size,
        [(*ev[:-1], None if ev[-1] is None else ev[-1].items()) for ev in record.events],
        record.query_raw,
        record.replay_of,
        record.request_body,
        record.request_dropped,
        record.routing[:-1],  # its start time differs
    )


CASES = st.fixed_dictionaries(
    {
        "path": st.text(min_size=1, max_size=20),
        "headers": HEADERS,
        "query": st.none() | BYTES,
        "replay_of": st.none() | st.integers(1, 99),
        "body": st.none() | BYTES,
        "states": STATES,
        "response": RESPONSES,
    }
)


@given(case=CASES)
@settings(max_examples=150, deadline=None)
def test_native_and_pure_records_close_identically(case: dict[str, Any]) -> None:
    """Made and closed in one call each, both twins hold the same fields and the same size
    (state snapshots included: Property 44), keep once, and leave the response alike."""
    native, native_kept, native_res = recorded(native_core, case)
    pure, pure_kept, pure_res = recorded(pure_core, case)
    assert seen(native) == seen(pure)
    assert native_kept == [native] and pure_kept == [pure]
    assert rendered(native_res) == rendered(pure_res)


def rendered(res: Response) -> Any:
    try:
        return res.render()
    except Exception as exc:
        return type(exc)


@CORES
def test_the_size_counts_every_part(core: Any) -> None:
    lctx = LocalContext("r1", method="GET", path="/abc", route="/abc")
    res = Response().send(b"12345", "text/plain")
    scope = {"headers": [(b"ab", b"cde")], "query_string": b"q=1"}
    record = core(scope, new_ingress(), lctx, res, lambda r: None)
    record.request_body = b"xy"
    record.end(("request.end", 1, None, 0, 1, None, None))
    headers = 2 + 3 + sum(len(k) + len(v) for k, v in res.headers)
    want = 512 + 160 * 1 + 5 + 3 + 4 + 64 * (1 + len(res.headers)) + 2 + headers
    assert record.size == want
    assert record.status == 200 and record.response_body == b"12345"
    assert record.response_media_raw == b"text/plain"


@CORES
def test_state_snapshots_count_toward_the_size(core: Any) -> None:
    def size(value: Any) -> int:
        lctx = LocalContext("r1", method="GET", path="/", route="/")
        record = core({"headers": []}, new_ingress(), lctx, Response().send(b""), lambda r: None)
        lctx.state.set("k", value)
        record.append(("hook.end", 1, None, 1, 1, None, lctx.state_snapshot()))
        record.end(("request.end", 2, None, 0, 2, None, None))
        return int(record.size)

    assert size("x" * 1000) - size("") == 1000
    assert size(["ab", 1, None]) == size("") - 32 + 56 + 34 + 32 + 32


@CORES
def test_the_response_is_encoded_once_and_sent_as_recorded(core: Any) -> None:
    lctx = LocalContext("r1", method="GET", path="/", route="/")
    res = Response().json({"a": [1, 2]})
    record = core({"headers": []}, new_ingress(), lctx, res, lambda r: None)
    record.end(("request.end", 1, None, 0, 1, None, None))
    body, media = res.render()
    assert body is record.response_body and media == b"application/json"


@CORES
def test_a_delegated_response_is_recorded_as_sent(core: Any) -> None:
    lctx = LocalContext("r1", method="GET", path="/", route="/")
    out = StarletteResponse(b"hi", 202, headers={"x-a": "1"})
    record = core({"headers": []}, new_ingress(), lctx, Response().delegate(out), lambda r: None)
    record.end(("request.end", 1, None, 0, 1, None, None))
    assert record.status == 202 and record.response_body == b"hi"
    assert record.response_media_raw is None and (b"x-a", b"1") in record.sent_headers


@CORES
def test_a_failure_while_closing_is_logged_not_raised(
    core: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def keep(record: Any) -> None:
        raise ValueError("full")

    lctx = LocalContext("r-fail", method="GET", path="/", route="/")
    record = core({"headers": []}, new_ingress(), lctx, Response().send(b"x"), keep)
    with caplog.at_level(logging.ERROR, logger="gati.playground"):
        record.end(("request.end", 1, None, 0, 1, None, None))
    (logged,) = caplog.records
    assert logged.getMessage() == "recording request r-fail failed"
    assert logged.exc_info is not None and logged.exc_info[0] is ValueError


@CORES
def test_a_base_exception_while_closing_is_raised(core: Any) -> None:
    def keep(record: Any) -> None:
        raise KeyboardInterrupt

    lctx = LocalContext("r1", method="GET", path="/", route="/")
    record = core({"headers": []}, new_ingress(), lctx, Response().send(b"x"), keep)
    with pytest.raises(KeyboardInterrupt):
        record.end(("request.end", 1, None, 0, 1, None, None))


@CORES
def test_a_record_in_a_cycle_is_collected(core: Any) -> None:
    class Marker:
        pass

    lctx = LocalContext("r1", method="GET", path="/", route="/")
    record = core({"headers": []}, new_ingress(), lctx, Response(), lambda r: None)
    marker = Marker()
    marker.record = record  # type: ignore[attr-defined]
    record.request_body = marker  # a cycle: record → marker → record
    gone = weakref.ref(marker)
    del record, marker
    gc.collect()
    assert gone() is None


def test_the_playground_record_is_the_backends_core() -> None:
    from gati._backend import twin

    assert issubclass(Record, twin("RecordCore"))
    lctx = LocalContext("r1", method="GET", path="/p", route="/p")
    kept: list[Any] = []
    record = Record({"headers": []}, new_ingress(), lctx, Response().send(b"ok"), kept.append)
    record.append(("request.start", 5, None, 0, None, None, None))
    record.end(("request.end", 9, None, 0, 4, None, None))
    assert kept == [record] and record.start_ns == 5 and record.end_ns == 9
    assert record.response_body == b"ok" and record.path == "/p"
