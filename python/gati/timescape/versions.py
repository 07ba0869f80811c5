"""Version dates and tags: what a client may ask for, and the one date it means (DESIGN §7).

A version is an ISO date (``2025-06-01``) kept as its canonical string: ISO dates sort as
strings, so a route's versions are a sorted list of ``str`` and resolution is one ``bisect``.
A tag (``stable``, ``beta``, custom) is an app-wide alias of a date; ``latest`` is built in and
means "the newest version of the route". Parsing a preference allocates nothing that outlives
the request, so a client sending a million distinct values cannot grow memory.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from gati.errors import GatiError

__all__ = [
    "LATEST",
    "Tags",
    "UnknownVersion",
    "VersionError",
    "as_version",
    "is_tag_name",
    "parse_preference",
]

LATEST = "latest"
# Later than every real version: "latest" resolves to the newest version of each route.
_END_OF_TIME = "9999-12-31"
_TAG = re.compile(r"[a-z][a-z0-9._-]{0,31}\Z")


class VersionError(GatiError, ValueError):
    """A version, tag or Timescape registration that cannot be accepted."""


class UnknownVersion(VersionError):
    """A request asked for a version that is malformed, unknown or too old: a 400."""


def _is_date(text: str) -> bool:
    # date.fromisoformat also takes "20250601" and week dates; versions are YYYY-MM-DD only.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def as_version(value: str | datetime.date) -> str:
    """The canonical version string of a date or ``YYYY-MM-DD`` text; ``VersionError`` if bad."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str) and _is_date(value):
        return value
    raise VersionError(f"a version is an ISO date YYYY-MM-DD, not {value!r}")


def is_tag_name(name: str) -> bool:
    """Whether ``name`` can be a tag: lower-case, ``[a-z][a-z0-9._-]``, at most 32 characters."""
    return bool(_TAG.match(name))


class Tags:
    """App-wide aliases of dates; ``latest`` is built in and cannot be redefined."""

    __slots__ = ("_dates",)

    def __init__(self) -> None:
        self._dates: dict[str, str] = {LATEST: _END_OF_TIME}

    def set(self, name: str, version: str | datetime.date) -> str:
        """Point tag ``name`` at ``version`` (moving it if it existed); returns the date."""
        if not isinstance(name, str) or not is_tag_name(name):
            raise VersionError(f"a tag name is [a-z][a-z0-9._-]{{0,31}}, not {name!r}")
        if name == LATEST:
            raise VersionError("'latest' is built in: it always means the newest version")
        date = as_version(version)
        self._dates[name] = date
        return date

    def get(self, name: str) -> str | None:
        """The date of tag ``name`` (``latest`` → a date after every version), or ``None``."""
        return self._dates.get(name)

    def named(self) -> Mapping[str, str]:
        """Every user tag and its date (``latest`` left out: it has no fixed date)."""
        return {k: v for k, v in self._dates.items() if k != LATEST}

    def names(self) -> list[str]:
        """Every tag name, ``latest`` included, sorted."""
        return sorted(self._dates)


def parse_preference(preference: str, tags: Tags) -> str:
    """The date a request asks for: a date, or a tag's date.

    ``UnknownVersion`` for an unknown tag or a malformed value; the message never echoes more
    than 64 characters of what the client sent.
    """
    date = tags.get(preference)
    if date is not None:
        return date
    if _is_date(preference):
        return preference
    shown = preference if len(preference) <= 64 else preference[:64] + "…"
    if is_tag_name(preference):
        raise UnknownVersion(f"unknown version tag {shown!r}")
    raise UnknownVersion(f"malformed version {shown!r}: expected YYYY-MM-DD or a tag")
