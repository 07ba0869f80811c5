"""``JWTAuth``: bearer tokens verified by PyJWT, keys given or fetched from a JWKS URL.

Always verified: the signature (with an algorithm from an explicit allow-list that never holds
``none`` and never mixes HMAC with public-key algorithms, so an RSA public key cannot be used
as an HMAC secret), ``exp`` (required by default) and ``nbf``, and ``iss``/``aud`` when
configured. A JWKS document is fetched in a worker thread (never blocking the event loop),
cached for ``jwks_ttl`` seconds, fetched once for all requests waiting on it, kept when a
refresh fails, and refetched for an unknown ``kid`` at most once per ``jwks_min_refetch``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Sequence
from typing import Any, Final

from gati.http.errors import HTTPError
from gati.policy.auth import Authenticator, bearer_token
from gati.policy.principal import AuthenticationFailed, Principal
from gati.secrets.value import Secret

try:
    import jwt as pyjwt
except ImportError:  # pragma: no cover - the dev extra installs PyJWT
    pyjwt = None  # type: ignore[assignment]

__all__ = ["JWTAuth"]

_log = logging.getLogger("gati.policy")
_HMAC: Final = frozenset({"HS256", "HS384", "HS512"})
_MAX_JWKS_BYTES: Final = 1 << 20


def _require_pyjwt() -> Any:
    if pyjwt is None:
        raise ImportError("JWTAuth needs PyJWT: pip install 'gati[jwt]'")
    return pyjwt


def _reason(exc: Exception) -> str:
    """A fixed message per failure kind: never an echo of the token."""
    errors = pyjwt.exceptions
    if isinstance(exc, errors.ExpiredSignatureError):
        return "token expired"
    if isinstance(exc, errors.ImmatureSignatureError):
        return "token not yet valid"
    if isinstance(exc, errors.InvalidAudienceError):
        return "token audience not accepted"
    if isinstance(exc, errors.InvalidIssuerError):
        return "token issuer not accepted"
    if isinstance(exc, errors.MissingRequiredClaimError):
        return f"token lacks the {exc.claim!r} claim"
    if isinstance(exc, errors.InvalidSignatureError):
        return "token signature invalid"
    if isinstance(exc, errors.InvalidAlgorithmError):
        return "token algorithm not allowed"
    return "malformed token"


class JWKS:
    """A JWKS document's keys by ``kid``, cached with a TTL (see the module docstring)."""

    def __init__(self, url: str, *, ttl: float, timeout: float, min_refetch: float) -> None:
        self.url = url
        self.ttl = ttl
        self.timeout = timeout
        self.min_refetch = min_refetch
        self._keys: dict[str | None, Any] = {}
        self._fetched_at = -float("inf")
        self._lock: asyncio.Lock | None = None

    async def key_for(self, token: str) -> Any:
        """The verification key for ``token``'s ``kid``; 401 for an unknown one, 503 when no
        key set could ever be fetched."""
        try:
            kid = pyjwt.get_unverified_header(token).get("kid")
        except pyjwt.PyJWTError:
            raise AuthenticationFailed("malformed token") from None
        if time.monotonic() - self._fetched_at > self.ttl:
            await self._refresh()
        key = self._find(kid)
        if key is None and time.monotonic() - self._fetched_at > self.min_refetch:
            await self._refresh()  # keys may have rotated
            key = self._find(kid)
        if key is None:
            if not self._keys:
                raise HTTPError(503, "the token signing keys are unavailable right now")
            raise AuthenticationFailed("token signed by an unknown key")
        return key

    def _find(self, kid: Any) -> Any:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if isinstance(kid, str) else None

    async def _refresh(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        started = time.monotonic()
        async with self._lock:
            if self._fetched_at >= started:  # another request refreshed while we waited
                return
            try:
                document = await asyncio.to_thread(self._fetch)
                keys = pyjwt.PyJWKSet.from_dict(document).keys
            except Exception as exc:
                _log.warning(
                    "JWKS fetch from %s failed (%s); keeping %d cached keys",
                    self.url,
                    type(exc).__name__,
                    len(self._keys),
                )
                self._fetched_at = time.monotonic() - self.ttl + self.min_refetch
                return
            self._keys = {k.key_id: k.key for k in keys}
            self._fetched_at = time.monotonic()

    def _fetch(self) -> Any:
        with urllib.request.urlopen(self.url, timeout=self.timeout) as reply:
            return json.loads(reply.read(_MAX_JWKS_BYTES))


class JWTAuth(Authenticator):
    """``Authorization: Bearer <jwt>`` → ``Principal(sub, roles, claims)``.

    Give ``key`` (an HMAC secret, a PEM public key or a key object; a ``Secret`` too) or
    ``jwks_url``, and ``algorithms``. ``roles_claim`` names the claim holding roles (a list of
    strings, or one space-separated string as OAuth ``scope`` is); ``require`` lists claims
    that must be present (``exp`` by default).
    """

    scheme = "Bearer"

    def __init__(
        self,
        key: str | bytes | Secret | Any = None,
        *,
        jwks_url: str | None = None,
        algorithms: Sequence[str],
        issuer: str | Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        leeway: float = 0,
        roles_claim: str = "roles",
        subject_claim: str = "sub",
        require: Sequence[str] = ("exp",),
        jwks_ttl: float = 300.0,
        jwks_timeout: float = 5.0,
        jwks_min_refetch: float = 10.0,
    ) -> None:
        jwt = _require_pyjwt()
        if (key is None) == (jwks_url is None):
            raise ValueError("JWTAuth takes a key or a jwks_url (exactly one)")
        algorithms = [algorithms] if isinstance(algorithms, str) else list(algorithms)
        if not algorithms:
            raise ValueError("JWTAuth needs an explicit list of algorithms")
        if any(a.lower() == "none" for a in algorithms):
            raise ValueError("the 'none' algorithm is never accepted")
        known = jwt.algorithms.get_default_algorithms()
        unknown = [a for a in algorithms if a not in known]
        if unknown:
            hint = (
                "" if jwt.algorithms.has_crypto else " (public-key algorithms need 'cryptography')"
            )
            raise ValueError(f"unsupported JWT algorithm(s) {unknown}{hint}")
        hmac = {a in _HMAC for a in algorithms}
        if len(hmac) > 1:
            raise ValueError("do not mix HMAC (HS*) and public-key algorithms in one JWTAuth")
        if jwks_url is not None and True in hmac:
            raise ValueError("a JWKS URL publishes public keys: use RS*/PS*/ES*/EdDSA algorithms")
        self.algorithms = algorithms
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.roles_claim = roles_claim
        self.subject_claim = subject_claim
        self._key = key.get() if isinstance(key, Secret) else key
        self._jwks = (
            None
            if jwks_url is None
            else JWKS(jwks_url, ttl=jwks_ttl, timeout=jwks_timeout, min_refetch=jwks_min_refetch)
        )
        self._decode = jwt.PyJWT(options={"require": list(require)}).decode
        self._kwargs: dict[str, Any] = {"algorithms": algorithms, "leeway": leeway}
        if issuer is not None:
            self._kwargs["issuer"] = issuer
        if audience is not None:
            self._kwargs["audience"] = audience

    async def __call__(self, req: Any) -> Principal | None:
        token = bearer_token(req)
        if token is None:
            return None
        key = self._key if self._jwks is None else await self._jwks.key_for(token)
        try:
            claims = self._decode(token, key, **self._kwargs)
        except pyjwt.PyJWTError as exc:
            raise AuthenticationFailed(_reason(exc)) from None
        return self.principal(claims)

    def principal(self, claims: dict[str, Any]) -> Principal:
        """The principal a verified token's claims describe."""
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise AuthenticationFailed(f"token lacks a {self.subject_claim!r} string claim")
        roles = claims.get(self.roles_claim, ())
        if isinstance(roles, str):
            roles = roles.split()
        elif not isinstance(roles, list | tuple):
            roles = ()
        return Principal(subject, (r for r in roles if isinstance(r, str)), claims)

    def __repr__(self) -> str:
        source = "key" if self._jwks is None else f"jwks_url={self._jwks.url!r}"
        return f"JWTAuth({source}, algorithms={self.algorithms!r})"
