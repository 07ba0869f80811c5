"""Egress: host patterns match exactly, and the module's httpx client refuses other hosts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gati.context.global_ import GlobalContext
from gati.modules import CapabilityError, ModuleContext, ModuleManifest, host_allowed
from gati.modules.capabilities import LocalHost

PATTERNS = ("*.example.com", "api.partner.io", "127.0.0.1")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("a.example.com", True),
        ("A.Example.COM", True),
        ("a.example.com.", True),
        ("example.com", False),
        ("evilexample.com", False),
        ("example.com.evil.net", False),
        ("a.b.example.com", False),
        ("a.example.com.evil.net", False),
        (".example.com", False),
        ("aexample.com", False),
        ("api.partner.io", True),
        ("x.api.partner.io", False),
        ("partner.io", False),
        ("api.partner.io.evil", False),
        ("127.0.0.1", True),
        ("127.0.0.10", False),
        ("", False),
    ],
)
def test_egress_patterns_match_exactly(host: str, allowed: bool) -> None:
    assert host_allowed(host, PATTERNS) is allowed


@pytest.fixture
async def local_http() -> AsyncIterator[int]:
    """A real HTTP/1.1 server on loopback answering 200 "ok"."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def _ctx(*egress: str) -> ModuleContext:
    manifest = ModuleManifest("net", capabilities=["network:egress"], egress=egress)
    return ModuleContext(manifest, LocalHost(GlobalContext()))


async def test_the_egress_client_reaches_allowed_hosts(local_http: int) -> None:
    ctx = _ctx("127.0.0.1")
    response = await ctx.http.get(f"http://127.0.0.1:{local_http}/")
    assert response.text == "ok"
    await ctx.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:1/",
        "http://127.0.0.1.evil.net/",
        "http://127.0.0.1@evil.net/",
        "https://evilexample.com/",
    ],
)
async def test_the_egress_client_refuses_other_hosts_before_connecting(url: str) -> None:
    ctx = _ctx("127.0.0.1", "*.example.com")
    with pytest.raises(CapabilityError, match="may not reach"):
        await ctx.http.get(url)
    await ctx.aclose()


async def test_a_redirect_to_another_host_is_refused() -> None:
    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 302 Found\r\nlocation: http://evil.net/\r\ncontent-length: 0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(redirect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    ctx = _ctx("127.0.0.1")
    with pytest.raises(CapabilityError, match=r"evil\.net"):
        await ctx.http.get(f"http://127.0.0.1:{port}/", follow_redirects=True)
    await ctx.aclose()
    server.close()


def test_the_egress_client_keeps_its_own_transport() -> None:
    from gati.modules.egress import egress_client

    with pytest.raises(ValueError, match="transport"):
        egress_client("m", ("a.example.com",), transport=object())


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
domains = st.lists(labels, min_size=2, max_size=4).map(".".join)


@given(labels, domains, domains)
def test_a_wildcard_matches_one_label_and_nothing_else(label: str, domain: str, other: str) -> None:
    pattern = ("*." + domain,)
    assert host_allowed(f"{label}.{domain}", pattern)
    assert not host_allowed(domain, pattern)
    assert not host_allowed(f"{label}{domain}", pattern)  # evilexample.com
    assert not host_allowed(f"{label}.{label}.{domain}", pattern)
    assert not host_allowed(f"{label}.{domain}.{other}", pattern)  # example.com.evil.net
    assert host_allowed(f"{label}.{domain}", (domain,)) is False
