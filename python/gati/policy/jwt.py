"""``JWTAuth``: bearer tokens verified by PyJWT, keys given or fetched from a JWKS URL.

Always verified: the signature (with an algorithm from an explicit allow-list that never holds
``none`` and never mixes HMAC with public-key algorithms, so an RSA public key cannot be used
as an HMAC secret), ``exp`` (required by default) and ``nbf``, and ``iss``/``aud`` when
configured. A JWKS document is fetched in a worker thread (never blocking the event loop),
cached for ``jwks_ttl`` seconds, fetched once for all requests waiting on it, kept when a
refresh fails, and refetched for an unknown ``kid`` at most once per ``jwks_min_refetch``.

Verified tokens are remembered (``cache_size`` of them, first in first out) until their ``exp``
or for at most a minute, whichever is sooner: a client sends the same token with every request,
and PyJWT's decode (tens of µs) is then paid once a minute instead of per request. Only the exact
token string that verified is found; ``nbf``, ``iss`` and ``aud`` cannot change for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any, Final

from gati.http.errors import HTTPError
from gati.policy.auth import Authenticator, bearer_token
from gati.policy.principal import AuthenticationFailed, Principal
from gati.secrets.value import Secret

# PyJWT, imported by the first JWTAuth: with cryptography it takes ~0.1 s, which an app
# without JWTs should not pay at ``import gati``.
pyjwt: Any = None
__all__ = ["JWTAuth"]

_log = logging.getLogger("gati.policy")
_HMAC: Final = frozenset({"HS256", "HS384", "HS512"})
_REMEMBER_S: Final = 60.0
_MAX_JWKS_BYTES: Final = 1 << 20
_NO_ROLES: Final[frozenset[str]] = frozenset()


def _require_pyjwt() -> Any:
    global pyjwt
    if pyjwt is None:
        try:
            import jwt
        except ImportError:  # pragma: no cover - the dev extra installs PyJWT
            raise ImportError("JWTAuth needs PyJWT: pip install 'gati[jwt]'") from None
        pyjwt = jwt
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
        import urllib.request  # here, in the worker thread: most apps never fetch a JWKS

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
        cache_size: int = 1024,
    ) -> None:
        jwt = _require_pyjwt()
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        if (key is None) == (jwks_url is None):
            raise ValueError("JWTAuth takes a key or a jwks_url (exactly one)")
        if isinstance(require, str):  # else each letter a required claim: every token refused
            raise TypeError(f"require= takes a list of claims, not one string: [{require!r}]")
        if isinstance(leeway, bool) or not isinstance(leeway, int | float) or not leeway >= 0:
            raise ValueError(f"leeway must be a number of seconds >= 0, not {leeway!r}")
        for name, value, least in (
            ("jwks_ttl", jwks_ttl, 0),  # 0: fetch the document for every unknown key id
            ("jwks_min_refetch", jwks_min_refetch, 0),
            ("jwks_timeout", jwks_timeout, None),  # a fetch needs some time
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (value > 0 if least is None else value >= least)
            ):
                bound = "> 0" if least is None else ">= 0"
                raise ValueError(f"{name} must be a number of seconds {bound}, not {value!r}")
        plain = key.get() if isinstance(key, Secret) else key
        if isinstance(plain, str | bytes) and not plain:
            raise ValueError("JWTAuth's key is empty")
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
        if isinstance(self._key, str) and True in hmac:
            self._key = self._key.encode("utf-8")  # as PyJWT would, once instead of per token
        self._jwks = (
            None
            if jwks_url is None
            else JWKS(jwks_url, ttl=jwks_ttl, timeout=jwks_timeout, min_refetch=jwks_min_refetch)
        )
        self.cache_size = cache_size
        self._verified: dict[str, tuple[float, Principal]] = {}  # token → (until, principal)
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
        if self.cache_size:
            known = self._verified.get(token)
            if known is not None:
                if known[0] > time.time():
                    return known[1]
                del self._verified[token]
        key = self._key if self._jwks is None else await self._jwks.key_for(token)
        try:
            claims = self._decode(token, key, **self._kwargs)
        except pyjwt.PyJWTError as exc:
            raise AuthenticationFailed(_reason(exc)) from None
        principal = self.principal(claims)
        if self.cache_size:
            self._remember(token, claims, principal)
        return principal

    def _remember(self, token: str, claims: dict[str, Any], principal: Principal) -> None:
        until = time.time() + _REMEMBER_S
        exp = claims.get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            until = min(until, exp + self.leeway)
        verified = self._verified
        if len(verified) >= self.cache_size:
            del verified[next(iter(verified))]
        verified[token] = (until, principal)

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
        kept = frozenset(r for r in roles if isinstance(r, str)) if roles else _NO_ROLES
        return Principal.verified(subject, kept, claims)

    def __repr__(self) -> str:
        source = "key" if self._jwks is None else f"jwks_url={self._jwks.url!r}"
        return f"JWTAuth({source}, algorithms={self.algorithms!r})"
