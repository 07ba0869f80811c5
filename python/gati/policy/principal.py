"""``Principal``: who a request acts for, once an authenticator has said so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from gati.errors import GatiError

__all__ = ["AuthenticationFailed", "Principal"]


class AuthenticationFailed(GatiError):
    """Raised by an authenticator for credentials that were presented but are not valid
    (bad signature, expired, unknown key). The request gets 401 with ``error="invalid_token"``;
    ``detail`` is shown to the client, so it never contains the credential."""

    def __init__(self, detail: str = "invalid credentials") -> None:
        super().__init__(detail)
        self.detail = detail


class Principal:
    """``subject`` (a user or client id), ``roles`` (a frozenset) and ``claims`` (read-only).

    The repr shows the subject and roles only: claims may carry personal data.
    """

    __slots__ = ("claims", "roles", "subject")

    subject: str
    roles: frozenset[str]
    claims: Mapping[str, Any]

    def __init__(
        self,
        subject: str,
        roles: Iterable[str] = (),
        claims: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(subject, str) or not subject:
            raise ValueError("a Principal's subject must be a non-empty string")
        if isinstance(roles, str):
            raise TypeError("roles must be an iterable of strings, not one string")
        object.__setattr__(self, "subject", subject)
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "claims", MappingProxyType(dict(claims or {})))

    @classmethod
    def verified(cls, subject: str, roles: frozenset[str], claims: dict[str, Any]) -> Principal:
        """The principal of a token an authenticator just verified: ``claims`` is the fresh
        dict decoded from it (wrapped read-only, not copied), ``subject`` already checked."""
        principal = object.__new__(cls)
        object.__setattr__(principal, "subject", subject)
        object.__setattr__(principal, "roles", roles)
        object.__setattr__(principal, "claims", MappingProxyType(claims))
        return principal

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Principal is immutable")

    def has_roles(self, roles: frozenset[str]) -> bool:
        """True when every role in ``roles`` is one of this principal's."""
        return roles <= self.roles

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Principal):
            return NotImplemented
        return (self.subject, self.roles) == (other.subject, other.roles) and dict(
            self.claims
        ) == dict(other.claims)

    def __hash__(self) -> int:
        return hash((self.subject, self.roles))

    def __repr__(self) -> str:
        return f"Principal(subject={self.subject!r}, roles={sorted(self.roles)!r})"
