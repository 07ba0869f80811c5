"""Ingress: what one pass over the request line and headers tells us about a request.

Request ids come from ``gati.context.ids`` (a random prefix plus a counter); a valid incoming
``X-Request-ID`` (at most 128 characters of ``[A-Za-z0-9._-]``) is kept instead. The version
preference, flags, ``traceparent`` and the client address are read here too, so that the
headers are walked once (``read_ingress``: natively, or by its pure twin) without building a
dict.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl

from gati._backend import twin
from gati._tables import (
    API_VERSION,
    FLAGS,
    FORWARDED,
    GATI_VERSION,
    TRACEPARENT,
    X_FORWARDED_FOR,
)

# ``read_ingress_head(scope)``: the one native call (or its pure twin) reading a request's
# head (``Head``); ``parse_ingress`` completes it when the rarer headers need a pass.
read_ingress_head: Callable[[dict[str, Any]], Head] = twin("read_ingress_head")
new_ingress: Callable[[], Ingress] = twin("Ingress")

__all__ = [
    "Head",
    "Ingress",
    "TrustedProxies",
    "new_ingress",
    "parse_ingress",
    "read_ingress_head",
    "with_rare_headers",
]

_FLAG_OK = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")
_TRACEPARENT_RE = re.compile(rb"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\Z")
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


class Ingress(Protocol):
    """What the request line and headers say, read in one native call (``read_ingress``, or
    its pure twin) and completed by the rarer-header pass here. ``new_ingress()`` makes a
    blank one (an empty id, no flags, every other field ``None``)."""

    request_id: str
    version_requested: str | None
    flags: frozenset[str]
    trace_id: str | None
    traceparent: str | None
    client_ip: str | None
    user_agent: str | None
    content_type: bytes | None
    content_length: int | None

    @property
    def rare(self) -> list[Any] | None: ...


def _version(raw: bytes | str) -> str | None:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = text.strip()
    # Past the limit, keep one character more than it: never a valid version, so a versioned
    # route answers 400 instead of silently serving the default.
    return text[: _MAX_VERSION + 1] or None


def _flags(raw: bytes) -> frozenset[str]:
    tokens = (t.strip() for t in raw.decode("latin-1").split(","))
    kept = [t for t in tokens if _FLAG_OK.match(t)]
    return frozenset(kept[:_MAX_FLAGS])


# ``(info, request_id, content_length, flags, trace_id, rare, request_id_bytes, started_at)``:
# the record and the fields the app reads of every request, handed over with it (a getter of
# the native record costs ~300 instructions; the tuple carries them for less), with the id's
# ASCII bytes and the wall-clock time (``time.time()``) the request started.
Head = tuple[Ingress, str, int | None, frozenset[str], str | None, list[Any] | None, bytes, float]


def parse_ingress(scope: dict[str, Any], trusted: TrustedProxies) -> Head:
    """Read ids, version preference, flags, trace context, client and body headers: one
    native call for the common request, the rarer headers (and ``?version=``) here. Returns
    the record with the fields every request reads (``Head``)."""
    head = read_ingress_head(scope)
    return head if head[5] is None else with_rare_headers(head, scope, trusted)


def with_rare_headers(head: Head, scope: dict[str, Any], trusted: TrustedProxies) -> Head:
    """``head`` completed by the rarer-header pass (its ``rare`` list is not None)."""
    info, rare = head[0], head[5]
    assert rare is not None
    _read_rare(info, rare, scope.get("query_string") or b"", trusted)
    return (
        info,
        info.request_id,
        info.content_length,
        info.flags,
        info.trace_id,
        rare,
        head[6],
        head[7],
    )


def _read_rare(
    info: Ingress, rare: list[bytes | None], query: bytes, trusted: TrustedProxies
) -> None:
    """Version preference, flags, trace context and forwarding headers."""
    gati_version, api_version = rare[GATI_VERSION], rare[API_VERSION]
    if gati_version is not None:
        info.version_requested = _version(gati_version)
    elif api_version is not None:
        info.version_requested = _version(api_version)
    elif b"version=" in query:
        for key, val in parse_qsl(query.decode("latin-1")):
            if key == "version":
                info.version_requested = _version(val)
                break
    flags = rare[FLAGS]
    if flags is not None:
        info.flags = _flags(flags)
    traceparent = rare[TRACEPARENT]
    if traceparent is not None:
        value = traceparent.strip()
        match = _TRACEPARENT_RE.match(value)
        if match and match[1] != b"ff" and match[2] != b"0" * 32 and match[3] != b"0" * 16:
            info.traceparent = value.decode("ascii")
            info.trace_id = match[2].decode("ascii")
    forwarded, xff = rare[FORWARDED], rare[X_FORWARDED_FOR]
    if trusted and (forwarded is not None or xff is not None):
        if forwarded is not None:
            hops = _forwarded_hops(forwarded.decode("latin-1"))
        else:
            hops = [h.strip() for h in (xff or b"").decode("latin-1").split(",")]
        info.client_ip = trusted.client(info.client_ip, hops)
