"""What the Playground never shows: credentials in headers, and ``Secret`` values anywhere.

Headers are redacted by name (``Authorization``, cookies, API keys, anything naming a token,
secret or password); bodies and state by value: every value a ``SecretsManager`` has handed
out is replaced wherever it appears, and a ``Secret`` object in state shows as ``"***"``.

State edited from that redacted view comes back through ``restore``: a value the user left as
shown keeps its real value (a ``Secret``, a masked string), so saving never writes ``"***"``
over a secret the user did not touch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from gati.context import codec

__all__ = ["MASK", "headers", "restore", "secret_values", "state", "text"]

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


def restore(
    edited: dict[str, Any], real: Iterable[tuple[str, Any]], secrets: Iterable[str]
) -> dict[str, Any]:
    """The state to keep from ``edited``, the JSON the user saved over the redacted view of
    ``real``: wherever a value is unchanged from the view (a whole key, or an object member or
    list item within it) the real value stays; everything else is taken as edited."""
    real_values = dict(real)
    shown = state(real_values.items(), secrets)
    return {
        key: _kept(value, shown[key], real_values[key]) if key in shown else value
        for key, value in edited.items()
    }


def _kept(edited: Any, shown: Any, real: Any) -> Any:
    if _same(edited, shown):
        return real
    if type(edited) is dict and type(shown) is dict and type(real) is dict:
        return {
            k: _kept(v, shown[k], real[k]) if k in shown and k in real else v
            for k, v in edited.items()
        }
    lists = type(edited) is list and type(shown) is list and type(real) is list
    if lists and len(edited) == len(shown) == len(real):
        return [_kept(e, s, r) for e, s, r in zip(edited, shown, real, strict=True)]
    return edited


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON (``1`` is not ``1.0`` nor ``true``)."""
    sort = orjson.OPT_SORT_KEYS
    return orjson.dumps(left, option=sort) == orjson.dumps(right, option=sort)
