"""Ingress: request ids (Property 3), version preference, flags, traceparent, client address."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App
from gati.http.ingress import TrustedProxies, parse_ingress
from gati.testing import AsyncTestClient


def echo_app(**options: Any) -> App:
    app = App(**options)

    @app.get("/meta")
    async def meta(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(0)
        m = lctx.meta
        return {
            "request_id": m.request_id,
            "version": req.info.version_requested,  # the preference (meta.version: resolved)
            "flags": sorted(m.flags),
            "trace_id": m.trace_id,
            "client": m.client.ip,
            "agent": m.client.user_agent,
            "route": m.route,
        }

    return app


def scope(headers: list[tuple[bytes, bytes]], query: bytes = b"", peer: str = "10.0.0.1") -> Any:
    return {"headers": headers, "query_string": query, "client": (peer, 1)}


async def test_property_3_request_ids_unique_under_concurrency() -> None:
    """Property 3: concurrent requests get distinct ids, each with a complete lifecycle."""
    app = echo_app()
    events: list[dict[str, Any]] = []
    app.emitter.subscribe(events.append)
    async with AsyncTestClient(app) as client:
        responses = await asyncio.gather(*(client.get("/meta") for _ in range(300)))
    ids = [r.json()["request_id"] for r in responses]
    assert len(set(ids)) == 300
    assert [r.headers["x-request-id"] for r in responses] == ids
    for kind in ("request.start", "handler.start", "handler.end", "request.end"):
        assert sorted(e["request_id"] for e in events if e["type"] == kind) == sorted(ids)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_incoming_request_id_kept_only_when_valid(value: bytes) -> None:
    info = parse_ingress(scope([(b"x-request-id", value)]), TrustedProxies(()))[0]
    ok = 0 < len(value) <= 128 and all(
        chr(c).isascii() and (chr(c).isalnum() or chr(c) in "._-") for c in value
    )
    if ok:
        assert info.request_id == value.decode()
    else:
        assert info.request_id != value.decode("latin-1")
        assert info.request_id


async def test_request_id_echoed_and_replaced() -> None:
    async with AsyncTestClient(echo_app()) as client:
        r = await client.get("/meta", headers={"x-request-id": "abc.DEF_1-2"})
        assert r.headers["x-request-id"] == r.json()["request_id"] == "abc.DEF_1-2"
        r = await client.get("/meta", headers={"x-request-id": "a" * 129})
        assert r.headers["x-request-id"] != "a" * 129
        r = await client.get("/meta", headers={"x-request-id": "bad id"})
        assert r.headers["x-request-id"] != "bad id"


async def test_version_preference_flags_and_trace() -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    async with AsyncTestClient(echo_app()) as client:
        r = await client.get(
            "/meta?version=2020-01-01",
            headers={
                "gati-version": "2025-11-01",
                "x-api-version": "beta",
                "gati-flags": "dark-mode, beta ,, bad flag!",
                "traceparent": trace,
                "user-agent": "tests/1",
            },
        )
        body = r.json()
        assert body["version"] == "2025-11-01"
        assert body["flags"] == ["beta", "dark-mode"]
        assert body["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert body["agent"] == "tests/1"
        assert body["route"] == "/meta"
        r = await client.get("/meta?version=2020-01-01", headers={"x-api-version": "beta"})
        assert r.json()["version"] == "beta"
        r = await client.get("/meta?a=1&version=2020-01-01")
        assert r.json()["version"] == "2020-01-01"
        r = await client.get(
            "/meta", headers={"traceparent": "00-" + "0" * 32 + "-00f067aa0ba902b7-01"}
        )
        assert r.json()["trace_id"] is None
        assert r.json()["version"] is None


def test_forwarding_headers_need_trusted_proxies() -> None:
    headers = [(b"x-forwarded-for", b"203.0.113.7, 10.0.0.2")]
    untrusted = parse_ingress(scope(headers), TrustedProxies(()))[0]
    assert untrusted.client_ip == "10.0.0.1"
    trusted = parse_ingress(scope(headers), TrustedProxies(["10.0.0.0/8"]))[0]
    assert trusted.client_ip == "203.0.113.7"
    spoofed = parse_ingress(scope(headers, peer="198.51.100.1"), TrustedProxies(["10.0.0.0/8"]))[0]
    assert spoofed.client_ip == "198.51.100.1"
    fwd = [(b"forwarded", b'for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"')]
    assert parse_ingress(scope(fwd), TrustedProxies(["10.0.0.1"]))[0].client_ip == "2001:db8::1"
    garbage = [(b"x-forwarded-for", b"not-an-ip")]
    assert parse_ingress(scope(garbage), TrustedProxies(["10.0.0.1"]))[0].client_ip == "10.0.0.1"


async def test_client_ip_in_meta_behind_proxy() -> None:
    async with AsyncTestClient(echo_app(trusted_proxies=["127.0.0.1"])) as client:
        r = await client.get("/meta", headers={"x-forwarded-for": "198.51.100.9"})
    assert r.json()["client"] == "198.51.100.9"


def test_property_3_forked_workers_never_share_request_ids() -> None:
    """Property 3 across processes: a child forked after ids were made (a pre-forking server's
    worker) starts a new prefix, so parent and child ids never collide."""
    from gati.context.ids import new_request_id

    parent = [new_request_id() for _ in range(3)]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its ids and leave without running pytest's teardown
        try:
            os.write(write, " ".join(new_request_id() for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent += [new_request_id() for _ in range(3)]
    assert len(child) == 3
    assert not set(child) & set(parent)
    assert {i.rsplit("-", 1)[0] for i in child}.isdisjoint({i.rsplit("-", 1)[0] for i in parent})


def test_parse_ingress_hands_over_the_fields_the_record_holds() -> None:
    """The fields returned beside the record are the record's own, after the rarer-header
    pass too (flags, trace context, version preference), with the id's bytes and the start."""
    traceparent = b"00-" + b"a" * 32 + b"-" + b"b" * 16 + b"-01"
    for headers in (
        [],
        [(b"content-length", b"12"), (b"x-request-id", b"r-1")],
        [(b"gati-flags", b"a, b"), (b"traceparent", traceparent), (b"gati-version", b"2")],
    ):
        head = parse_ingress(scope(headers), TrustedProxies(()))
        info, rid, length, flags, trace_id, rare, rid_bytes, started_at = head
        assert (rid, length, flags, trace_id, rare, rid_bytes) == (
            info.request_id,
            info.content_length,
            info.flags,
            info.trace_id,
            info.rare,
            info.request_id.encode("ascii"),
        )
        assert type(started_at) is float
