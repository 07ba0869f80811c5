"""Response header fields as HTTP allows them. A name is a token; a value holds no control
character but tab, above all no CR or LF, which would end the header early and let the rest
of the value pass for headers of its own (response splitting); both are Latin-1. Servers
refuse such a field only as they write it (uvicorn drops the connection without an answer),
so it is refused where it is set instead, with a ``ValueError`` that names it."""

from __future__ import annotations

import re

__all__ = ["header_field"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Names already checked, as sent (lowercase bytes): names come from code, so this stays small;
# it is bounded all the same. A known name costs a lookup instead of a match (about 0.2 µs).
_NAMES: dict[str, bytes] = {}
_MAX_NAMES = 1024


def header_field(name: str, value: str) -> tuple[bytes, bytes]:
    """``name: value`` as sent (the lowercase name and the value, in Latin-1); a
    ``ValueError`` that says why when it cannot be sent as one header field."""
    key = _NAMES.get(name)
    if key is None:
        if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
            raise ValueError(f"invalid header name {name!r}: a header name is an HTTP token")
        key = name.lower().encode("ascii")
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[name] = key
    try:  # isprintable() holds for nearly every value and costs less than the search
        printable = value.isprintable()
    except AttributeError:
        raise TypeError(f"header {name} takes a str value, not {type(value).__name__}") from None
    if not printable and _CONTROL.search(value) is not None:
        raise ValueError(
            f"invalid value for header {name}: {value!r} holds a control character "
            "(CR, LF, NUL…), which would split the header"
        )
    try:
        return key, value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(
            f"invalid value for header {name}: {value!r} is not Latin-1 "
            "(percent-encode it, or use RFC 8187's filename*=UTF-8''… form)"
        ) from None
