"""Network egress for modules: host matching and an httpx client that refuses other hosts.

A pattern is an exact host (``api.example.com``) or one wildcard label (``*.example.com``
matches ``a.example.com``, but not ``example.com``, ``a.b.example.com``, ``evilexample.com``
or ``example.com.evil.net``), as TLS certificate names match (RFC 6125 §6.4.3). Every request
the client sends, redirects included, is checked before a connection is opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gati.modules.errors import CapabilityError

__all__ = ["egress_client", "host_allowed"]


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """True when ``host`` (already IDNA-encoded) matches one of ``patterns``."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    for pattern in patterns:
        if pattern.startswith("*."):
            suffix = pattern[1:]
            label = host[: -len(suffix)] if host.endswith(suffix) else ""
            if label and "." not in label:
                return True
        elif host == pattern:
            return True
    return False


def egress_client(module: str, patterns: tuple[str, ...], **options: Any) -> Any:
    """An ``httpx.AsyncClient`` for ``module`` that raises ``CapabilityError`` for any host
    outside ``patterns``. Proxies from the environment are ignored (``trust_env=False``): a
    proxy mount would otherwise carry requests past the check."""
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError("network:egress needs httpx: pip install 'gati[modules]'") from exc

    class EgressTransport(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            host = request.url.raw_host.decode("ascii", "replace")
            if not host_allowed(host, patterns):
                raise CapabilityError(
                    f"module {module!r} may not reach {host!r} (egress: {', '.join(patterns)})"
                )
            return await self._inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self._inner.aclose()

    for option in ("transport", "mounts", "proxy", "trust_env"):
        if option in options:
            raise ValueError(f"an egress client chooses its own {option!r}")
    return httpx.AsyncClient(transport=EgressTransport(), trust_env=False, **options)
