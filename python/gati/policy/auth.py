"""Authenticators and the ``authenticated`` step of the request lifecycle.

An authenticator is any async callable ``(req) -> Principal | None``: ``None`` when the request
carries no credentials it understands, ``AuthenticationFailed`` when it carries bad ones.
``Authenticator`` adds what the 401 challenge and the OpenAPI document need (``scheme``);
``APIKeyAuth`` and ``JWTAuth`` (``gati.policy.jwt``) are the two built in.

``Authenticate`` is the built-in before step a route gets for ``auth=``/``roles=``: it tries
the route's authenticators in order, answers 401 with ``WWW-Authenticate`` when none accepts
the request and 403 when the principal lacks a required role, puts the principal in
``lctx.meta.principal`` and moves the request to phase ``authenticated``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

from gati.hook import is_async_callable, refused_arity
from gati.http.errors import HTTPError
from gati.policy.principal import AuthenticationFailed, Principal
from gati.secrets.value import Secret

__all__ = ["APIKeyAuth", "Authenticate", "Authenticator", "bearer_token", "header_value"]

AuthFn = Callable[[Any], Awaitable[Principal | None]]
Step = Callable[[Any, Any, Any, Any], Awaitable[None]]
_MAX_CREDENTIAL: Final = 8192


# RFC 9110 §5.1: a field name is a token
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_callable(fn: Any, arguments: int, what: str, *, is_async: bool) -> None:
    """Refuse, where it is configured, a callable that could only fail at each request: not
    callable, unable to take ``arguments`` positional arguments, or (``is_async``) not async."""
    if not callable(fn):
        raise TypeError(f"{what}, not {fn!r}")
    signature = refused_arity(fn, arguments)
    if signature is not None:
        raise TypeError(f"{what}; {fn!r} has {signature}")
    if is_async and not is_async_callable(fn):
        raise TypeError(f"{what}; {fn!r} is not async")


def header_value(req: Any, name: bytes) -> str | None:
    """The first ``name`` header (lower-case bytes) as text; a scan of the raw list is cheaper
    than building the case-insensitive mapping for one header."""
    for key, value in req.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _credentials(req: Any, scheme: str) -> str | None:
    """The credentials after ``Authorization: <scheme> `` (scheme case-insensitive), if any."""
    value = header_value(req, b"authorization")
    if value is None:
        return None
    kind, _, rest = value.strip().partition(" ")
    if kind.lower() != scheme.lower():
        return None
    rest = rest.strip()
    if not rest or len(rest) > _MAX_CREDENTIAL:
        raise AuthenticationFailed(f"malformed {scheme} credentials")
    return rest


def bearer_token(req: Any) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when absent or another scheme."""
    return _credentials(req, "Bearer")


class Authenticator:
    """Base of the built-in authenticators: ``scheme`` names the ``WWW-Authenticate``
    challenge, ``security_scheme()`` describes it for OpenAPI."""

    scheme: str = "Bearer"

    async def __call__(self, req: Any) -> Principal | None:
        raise NotImplementedError

    def security_scheme(self) -> dict[str, Any]:
        """An OpenAPI security scheme object for this authenticator."""
        return {"type": "http", "scheme": self.scheme.lower()}


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class APIKeyAuth(Authenticator):
    """API keys from the ``X-API-Key`` header (``header=`` to change it) or
    ``Authorization: ApiKey <key>``.

    ``keys`` maps each key (a string or ``Secret``) to its ``Principal`` or subject; ``lookup``
    is an async ``(key) -> Principal | None`` tried for keys not in the map (a database, say).
    Keys are held only as SHA-256 digests and a presented key is found by its digest, so how
    long a check takes says nothing about how much of a key was right (a byte-by-byte compare
    of the keys themselves would), and memory holds no usable key.
    """

    scheme = "ApiKey"

    def __init__(
        self,
        keys: Mapping[str | Secret, Principal | str] | None = None,
        *,
        lookup: Callable[[str], Awaitable[Principal | None]] | None = None,
        header: str = "X-API-Key",
    ) -> None:
        if not keys and lookup is None:
            raise ValueError("APIKeyAuth needs keys, a lookup, or both")
        if not isinstance(header, str) or not _TOKEN.fullmatch(header):
            raise ValueError(f"header= must be an HTTP header name, not {header!r}")
        if lookup is not None:
            what = "lookup= takes an async (key) -> Principal | None"
            check_callable(lookup, 1, what, is_async=True)
        self.header = header
        self._header = header.lower().encode("latin-1")
        self._lookup = lookup
        self._keys: dict[bytes, Principal] = {}
        for key, who in (keys or {}).items():
            plain = key.get() if isinstance(key, Secret) else key
            if not isinstance(plain, str) or not plain:
                raise ValueError("API keys must be non-empty strings")
            principal = who if isinstance(who, Principal) else Principal(who)
            self._keys[_digest(plain)] = principal

    async def __call__(self, req: Any) -> Principal | None:
        key = header_value(req, self._header)
        if key is None:
            key = _credentials(req, "ApiKey")
            if key is None:
                return None
        if not key or len(key) > _MAX_CREDENTIAL:
            raise AuthenticationFailed("malformed API key")
        principal = self._keys.get(_digest(key))
        if principal is not None:
            return principal
        if self._lookup is not None:
            found = await self._lookup(key)
            if found is not None:
                return found
        raise AuthenticationFailed("unknown API key")

    def security_scheme(self) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": self.header}

    def __repr__(self) -> str:
        return f"APIKeyAuth({len(self._keys)} keys, header={self.header!r})"


def _challenge(authenticators: Sequence[Any], error: str | None) -> str:
    """``WWW-Authenticate``: one challenge per scheme, ``error=`` (RFC 6750) for bad tokens."""
    seen: list[str] = []
    for a in authenticators:
        scheme = getattr(a, "scheme", "Bearer")
        if scheme not in seen:
            seen.append(scheme)
    params = f' error="{error}"' if error else ""
    return ", ".join(f'{s} realm="gati"{"," if params else ""}{params}' for s in seen)


class Authenticate:
    """The lifecycle step for ``auth=``/``roles=`` (a before hook run ahead of all others).

    ``throttle`` (the route's rate-limit step) is charged for each refused request, keyed by
    client IP, so credential guessing meets the route's limit as well.
    """

    __slots__ = ("_calls", "_challenge", "_invalid", "authenticators", "roles", "throttle")

    def __init__(
        self,
        authenticators: Sequence[AuthFn],
        roles: frozenset[str],
        *,
        throttle: Step | None = None,
    ) -> None:
        if not authenticators:
            raise ValueError("an authentication step needs at least one authenticator")
        self.authenticators = tuple(authenticators)
        # a built-in authenticator is called through its bound __call__ (calling the instance
        # looks __call__ up on every request); plain async functions are called as they are
        self._calls = tuple(
            a.__call__ if isinstance(a, Authenticator) else a for a in self.authenticators
        )
        self.roles = roles
        self.throttle = throttle
        self._challenge = _challenge(self.authenticators, None)
        self._invalid = _challenge(self.authenticators, "invalid_token")

    async def __call__(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        principal = None
        for authenticator in self._calls:
            try:
                principal = await authenticator(req)
            except AuthenticationFailed as exc:
                if self.throttle is not None:
                    await self.throttle(req, res, lctx, gctx)
                raise HTTPError(
                    401, exc.detail, headers={"WWW-Authenticate": self._invalid}
                ) from None
            if principal is not None:
                break
        if principal is None:
            if self.throttle is not None:
                await self.throttle(req, res, lctx, gctx)
            raise HTTPError(
                401, "credentials are required", headers={"WWW-Authenticate": self._challenge}
            )
        if not isinstance(principal, Principal):
            raise TypeError(
                f"authenticator {getattr(authenticator, '__self__', authenticator)!r} returned "
                f"{type(principal).__name__}, "
                "not a Principal or None"
            )
        if not principal.has_roles(self.roles):
            missing_roles = sorted(self.roles - principal.roles)
            raise HTTPError(
                403,
                "missing role(s): " + ", ".join(missing_roles),
                extra={"missing_roles": missing_roles},
            )
        lctx.meta.principal = principal
        lctx.advance("authenticated")
