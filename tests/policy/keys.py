"""Key material and token makers shared by the policy tests (RSA keys made once per session)."""

from __future__ import annotations

import functools
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HS_KEY = "test-hmac-key-" + "0123456789abcdef" * 4


@functools.cache
def rsa_pair() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of one 2048-bit RSA key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def claims(**extra: Any) -> dict[str, Any]:
    # Tokens are made when the tests are collected: a day, so that no run of the suite
    # (about 20 minutes per backend on a busy 2-core machine) outlives them.
    now = int(time.time())
    return {"sub": "alice", "roles": ["admin"], "exp": now + 86_400, **extra}


def hs_token(key: str = HS_KEY, **extra: Any) -> str:
    return jwt.encode(claims(**extra), key, algorithm="HS256")


def rs_token(kid: str | None = None, **extra: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims(**extra), rsa_pair()[0], algorithm="RS256", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
