"""The string format scanners of docs/gtype.md §7, in Python.

Each is a predicate ``str -> bool``. Character classes are ASCII-only, so a lone surrogate can
only slip through where a format admits non-ASCII text (the tail of a URL), which is checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["FORMATS", "WHOLE_MATCHES"]

_A = re.ASCII
# Possessive runs (``++``, ``*+``, ``{1,63}+``): each run ends where the next character cannot
# continue it (a dot, an ``@`` or the end), so giving characters back never helps a match, and
# not trying to saves ``re`` a third of an email's time.
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}+(?<!-)"  # 1–63 letters, digits and inner hyphens
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*+", _A).fullmatch
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_EMAIL = re.compile(
    rf"(?=[^@]{{1,64}}@){_ATEXT}++(?:\.{_ATEXT}++)*+@"
    rf"(?=[^@]{{1,253}}\Z)(?:{_LABEL}\.)++(?![0-9]+\Z){_LABEL}",
    _A,
).fullmatch
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}", _A).fullmatch
_HEX4 = re.compile(r"[0-9A-Fa-f]{1,4}", _A).fullmatch
_UUID = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", _A
).fullmatch
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", _A)
_TIME = re.compile(
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?(?:([Zz])|[+-]([0-9]{2}):([0-9]{2}))?", _A
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://", _A)
_PORT = re.compile(r"[0-9]{1,5}", _A).fullmatch
_BAD_URL_CHAR = re.compile(r"[\x00-\x20\x7f\ud800-\udfff]").search
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def hostname(s: str) -> bool:
    """Dot-separated labels of letters, digits and inner hyphens; 1–253 chars, no trailing dot."""
    return len(s) <= 253 and _HOSTNAME(s) is not None


def email(s: str) -> bool:
    """``local@domain``: a dot-atom local part of ≤ 64 chars, a hostname of ≥ 2 labels."""
    return _EMAIL(s) is not None


def ipv4(s: str) -> bool:
    """Four decimal octets 0–255 without leading zeros."""
    return _IPV4(s) is not None


def ipv6(s: str) -> bool:
    """RFC 4291 text form: 8 hex groups, one optional ``::``, an optional trailing IPv4."""
    if s.count("::") > 1 or ":::" in s:
        return False
    groups, body = 8, s
    if "." in s:
        i = s.rfind(":")
        if i < 0 or not ipv4(s[i + 1 :]):
            return False
        groups, body = 6, s[: i + 1]
        if not body.endswith("::"):
            body = body[:-1]
    if "::" in body:
        left, _, right = body.partition("::")
        parts = (left.split(":") if left else []) + (right.split(":") if right else [])
        return len(parts) < groups and all(_HEX4(p) is not None for p in parts)
    parts = body.split(":")
    return len(parts) == groups and all(_HEX4(p) is not None for p in parts)


def uuid(s: str) -> bool:
    """``8-4-4-4-12`` hex digits, either case."""
    return _UUID(s) is not None


def _day(y: int, m: int, d: int) -> bool:
    if not 1 <= y <= 9999 or not 1 <= m <= 12 or d < 1:
        return False
    leap = m == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return d <= _MONTH_DAYS[m - 1] + leap


def date(s: str) -> bool:
    """``YYYY-MM-DD``, a real Gregorian day in years 0001–9999."""
    m = _DATE.fullmatch(s)
    return m is not None and _day(int(m[1]), int(m[2]), int(m[3]))


def _time(s: str, need_offset: bool) -> bool:
    m = _TIME.fullmatch(s)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3]) > 60:
        return False
    if m[5] is not None:
        return int(m[5]) <= 23 and int(m[6]) <= 59
    return m[4] is not None or not need_offset


def time(s: str) -> bool:
    """``HH:MM:SS[.fraction][offset]`` with a leap second allowed."""
    return _time(s, need_offset=False)


def date_time(s: str) -> bool:
    """A date, ``T``/``t``/space, then a time with its offset."""
    return len(s) > 11 and s[10] in "Tt " and date(s[:10]) and _time(s[11:], need_offset=True)


def _host(h: str) -> bool:
    if h.startswith("["):
        return h.endswith("]") and ipv6(h[1:-1])
    return hostname(h) or ipv4(h)


def url(s: str) -> bool:
    """``scheme://[userinfo@]host[:port]`` and a tail free of whitespace and control characters."""
    m = _SCHEME.match(s)
    if m is None or _BAD_URL_CHAR(s) is not None:
        return False
    rest = s[m.end() :]
    end = len(rest)
    for c in "/?#":
        i = rest.find(c)
        if 0 <= i < end:
            end = i
    userinfo, _, hostport = rest[:end].rpartition("@")
    if "@" in userinfo:
        return False
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return False
        host, tail = hostport[: close + 1], hostport[close + 1 :]
        if tail and not tail.startswith(":"):
            return False
    else:
        i = hostport.find(":")
        host, tail = (hostport, "") if i < 0 else (hostport[:i], hostport[i:])
    if tail and (_PORT(tail[1:]) is None or int(tail[1:]) > 65535):
        return False
    return _host(host)


FORMATS: dict[str, Callable[[str], bool]] = {
    "email": email,
    "hostname": hostname,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "uuid": uuid,
    "date": date,
    "time": time,
    "date-time": date_time,
    "url": url,
}

WHOLE_MATCHES: dict[str, Callable[[str], Any]] = {"email": _EMAIL, "ipv4": _IPV4, "uuid": _UUID}
"""The formats that are one pattern's full match (None: not the format), which the generated
fast paths call directly."""
