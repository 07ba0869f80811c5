"""What the Playground never shows: credentials in headers, and ``Secret`` values anywhere.

Headers are redacted by name (``Authorization``, cookies, API keys, anything naming a token,
secret or password); bodies and state by value: every value a ``SecretsManager`` has handed
out is replaced wherever it appears, and a ``Secret`` object in state shows as ``"***"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gati.context import codec

__all__ = ["MASK", "headers", "secret_values", "state", "text"]

MASK = "***"
_NAMES = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
_PARTS = ("token", "secret", "password", "api-key", "apikey", "api_key", "session")
_SECRET_TAG = {"$gati": "secret"}


def _sensitive(name: str) -> bool:
    return name in _NAMES or any(part in name for part in _PARTS)


def secret_values(manager: Any) -> tuple[str, ...]:
    """The string forms of the secrets ``manager`` holds now (longest first, so a secret that
    contains another is masked whole)."""
    cache = getattr(manager, "_cache", None) or {}
    found = set()
    for secret, _ in cache.values():
        try:
            value = secret.get()
        except Exception:  # a redacted or unreadable secret has nothing to hide
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if value is not None and str(value):
            found.add(str(value))
    return tuple(sorted(found, key=len, reverse=True))


def text(value: str, secrets: Iterable[str]) -> str:
    """``value`` with every secret in it masked."""
    for secret in secrets:
        if secret in value:
            value = value.replace(secret, MASK)
    return value


def headers(raw: Iterable[tuple[bytes, bytes]], secrets: Iterable[str]) -> list[list[str]]:
    """``[[name, value], ...]`` with sensitive headers and secret values masked."""
    secrets = tuple(secrets)
    out = []
    for name, value in raw:
        key = name.decode("latin-1").lower()
        shown = MASK if _sensitive(key) else text(value.decode("latin-1"), secrets)
        out.append([key, shown])
    return out


def _masked(value: Any, secrets: tuple[str, ...]) -> Any:
    if type(value) is dict:
        if value == _SECRET_TAG:
            return MASK
        return {k: _masked(v, secrets) for k, v in value.items()}
    if type(value) is list:
        return [_masked(v, secrets) for v in value]
    if type(value) is str and secrets:
        return text(value, secrets)
    return value


def state(items: Iterable[tuple[str, Any]], secrets: Iterable[str]) -> dict[str, Any]:
    """The JSON form of a state snapshot's items, ``Secret`` objects and values masked."""
    secrets = tuple(secrets)
    return {key: _masked(codec.encode(value), secrets) for key, value in items}
