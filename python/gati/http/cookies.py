"""Cookies: parsing the ``Cookie`` request header and formatting ``Set-Cookie`` (the rules and
attribute spellings are Starlette's, so a Starlette or FastAPI user gets the same headers)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from http.cookies import SimpleCookie
from typing import Literal

from starlette.requests import cookie_parser

__all__ = ["SameSite", "cookie_parser", "set_cookie_header"]

SameSite = Literal["lax", "strict", "none"]


def set_cookie_header(
    key: str,
    value: str = "",
    *,
    max_age: int | None = None,
    expires: datetime | str | int | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: SameSite | None = "lax",
    partitioned: bool = False,
) -> str:
    """One ``Set-Cookie`` value; ``ValueError`` for a bad ``samesite`` or ``max_age``, or a
    ``path``/``domain`` that would add attributes of its own."""
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)):
        raise ValueError(f"max_age must be an int number of seconds, not {max_age!r}")
    for name, attribute in (("path", path), ("domain", domain)):
        if attribute is not None and any(c in attribute for c in ";\r\n"):
            # else read as further attributes: path="/; Domain=example.org"
            raise ValueError(f"a cookie {name} must not contain ';', CR or LF: {attribute!r}")
    cookie: SimpleCookie = SimpleCookie()
    cookie[key] = value
    morsel = cookie[key]
    if max_age is not None:
        morsel["max-age"] = max_age
    if expires is not None:
        morsel["expires"] = (
            format_datetime(expires, usegmt=True) if isinstance(expires, datetime) else expires
        )
    if path is not None:
        morsel["path"] = path
    if domain is not None:
        morsel["domain"] = domain
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    if samesite is not None:
        if samesite.lower() not in ("strict", "lax", "none"):
            raise ValueError("samesite must be 'strict', 'lax' or 'none'")
        morsel["samesite"] = samesite
    header = cookie.output(header="").strip()
    return f"{header}; Partitioned" if partitioned else header
