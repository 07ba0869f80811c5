"""Ingress: what one pass over the request line and headers tells us about a request.

Request ids come from ``gati.context.ids`` (a random prefix plus a counter); a valid incoming
``X-Request-ID`` (at most 128 characters of ``[A-Za-z0-9._-]``) is kept instead. The version
preference, flags, ``traceparent`` and the client address are read here too, so that the
headers are walked once, in Python, without building a dict.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from gati.context.ids import new_request_id

__all__ = ["Ingress", "TrustedProxies", "parse_ingress"]

_ID_OK = re.compile(rb"[A-Za-z0-9._-]{1,128}\Z")
_FLAG_OK = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")
_TRACEPARENT = re.compile(rb"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\Z")
_MAX_FLAGS = 32
_MAX_VERSION = 64

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The proxies whose ``Forwarded``/``X-Forwarded-For`` headers are believed."""

    __slots__ = ("_networks",)

    def __init__(self, proxies: Iterable[str]) -> None:
        self._networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(p, strict=False) for p in proxies
        )

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in net for net in self._networks)

    def client(self, peer: str | None, hops: Sequence[str]) -> str | None:
        """Walk the forwarding chain right to left past trusted proxies; the first other hop
        is the client. Without a trusted peer the chain is ignored and the peer is the client."""
        if peer is None or not self.trusts(peer):
            return peer
        client = peer
        for hop in reversed(hops):
            if _address(hop) is None:
                break
            client = hop
            if not self.trusts(hop):
                break
        return client


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _forwarded_hops(value: str) -> list[str]:
    """The ``for=`` addresses of an RFC 7239 ``Forwarded`` header, ports and brackets removed."""
    hops = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, raw = pair.strip().partition("=")
            if name.lower() != "for":
                continue
            host = raw.strip().strip('"')
            if host.startswith("["):
                host = host[1 : host.find("]")] if "]" in host else host[1:]
            elif host.count(":") == 1:
                host = host.split(":", 1)[0]
            hops.append(host)
    return hops


class Ingress:
    """What the request line and headers say, read in one pass (``parse_ingress``)."""

    __slots__ = (
        "client_ip",
        "content_length",
        "content_type",
        "flags",
        "request_id",
        "trace_id",
        "traceparent",
        "user_agent",
        "version_requested",
    )

    def __init__(self) -> None:
        self.request_id = ""
        self.version_requested: str | None = None
        self.flags: frozenset[str] = frozenset()
        self.trace_id: str | None = None
        self.traceparent: str | None = None
        self.client_ip: str | None = None
        self.user_agent: str | None = None
        self.content_type: bytes | None = None
        self.content_length: int | None = None


def _version(raw: bytes | str) -> str | None:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = text.strip()
    return text if 0 < len(text) <= _MAX_VERSION else None


def _flags(raw: bytes) -> frozenset[str]:
    tokens = (t.strip() for t in raw.decode("latin-1").split(","))
    kept = [t for t in tokens if _FLAG_OK.match(t)]
    return frozenset(kept[:_MAX_FLAGS])


def parse_ingress(scope: dict[str, Any], trusted: TrustedProxies) -> Ingress:
    """Read ids, version preference, flags, trace context, client and body headers."""
    info = Ingress()
    gati_version = api_version = forwarded = xff = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            info.content_type = value
        elif name == b"content-length":
            info.content_length = int(value) if value.isdigit() else -1
        elif name == b"x-request-id":
            if _ID_OK.match(value):
                info.request_id = value.decode("ascii")
        elif name == b"user-agent":
            info.user_agent = value.decode("latin-1")
        elif name == b"gati-version":
            gati_version = value
        elif name == b"x-api-version":
            api_version = value
        elif name == b"gati-flags":
            info.flags = _flags(value)
        elif name == b"traceparent":
            match = _TRACEPARENT.match(value.strip())
            if match and match[1] != b"ff" and match[2] != b"0" * 32 and match[3] != b"0" * 16:
                info.traceparent = value.strip().decode("ascii")
                info.trace_id = match[2].decode("ascii")
        elif name == b"forwarded":
            forwarded = value
        elif name == b"x-forwarded-for":
            xff = value
    if not info.request_id:
        info.request_id = new_request_id()
    if gati_version is not None:
        info.version_requested = _version(gati_version)
    elif api_version is not None:
        info.version_requested = _version(api_version)
    else:
        query = scope.get("query_string", b"")
        if b"version=" in query:
            for key, val in parse_qsl(query.decode("latin-1")):
                if key == "version":
                    info.version_requested = _version(val)
                    break
    client = scope.get("client")
    peer = client[0] if client else None
    if trusted and (forwarded is not None or xff is not None):
        if forwarded is not None:
            hops = _forwarded_hops(forwarded.decode("latin-1"))
        else:
            hops = [h.strip() for h in (xff or b"").decode("latin-1").split(",")]
        info.client_ip = trusted.client(peer, hops)
    else:
        info.client_ip = peer
    return info
