"""Who may use the Playground: loopback clients, or, with a token, whoever presents it.

Without a token only 127.0.0.1, ::1 and localhost are served (403 otherwise). With a token,
every page, static file and API call needs it, as the ``X-Gati-Playground-Token`` header or
the ``gati_playground`` cookie (401 when missing or wrong; compared in constant time).
``GET /_gati/?token=…`` sets the cookie and redirects to the page.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from typing import Any

__all__ = ["COOKIE", "HEADER", "LOOPBACK", "matches", "refusal"]

HEADER = b"x-gati-playground-token"
COOKIE = "gati_playground"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _presented(scope: dict[str, Any]) -> str | None:
    """The token the request carries (header first, then cookie)."""
    cookie_header = None
    for name, value in scope["headers"]:
        if name == HEADER:
            return str(value.decode("latin-1"))
        if name == b"cookie":
            cookie_header = value.decode("latin-1")
    if cookie_header is None:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # a malformed cookie header carries no token
        return None
    morsel = jar.get(COOKIE)
    return None if morsel is None else morsel.value


def refusal(scope: dict[str, Any], token: str | None) -> tuple[int, str] | None:
    """``(status, detail)`` when the request may not use the Playground, else None."""
    if token is None:
        client = scope.get("client")
        host = client[0] if client else None
        if host not in LOOPBACK:
            return 403, (
                "the Playground serves loopback clients only; set playground_token= to "
                "open it to others"
            )
        return None
    presented = _presented(scope)
    if presented is None:
        return 401, "the Playground needs its token (X-Gati-Playground-Token or the cookie)"
    if not hmac.compare_digest(presented.encode("utf-8"), token.encode("utf-8")):
        return 401, "wrong Playground token"
    return None


def matches(candidate: str, token: str) -> bool:
    """Whether a token given in the query string is the right one."""
    return hmac.compare_digest(candidate.encode("utf-8"), token.encode("utf-8"))
