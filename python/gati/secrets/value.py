"""``Secret``: a value that never shows itself in reprs, logs, errors or snapshot JSON."""

from __future__ import annotations

import hmac
from typing import Any, Final

__all__ = ["REDACTED", "Secret"]

REDACTED: Final = "**********"
_GONE: Final = object()


class Secret:
    """Wraps a sensitive value; ``get()`` is the only way to read it.

    A secret rebuilt from a snapshot's JSON has no value (snapshots never store one):
    its ``get()`` raises ``ValueError``.
    """

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    @classmethod
    def redacted(cls) -> Secret:
        """A secret whose value was not kept (as restored from a snapshot)."""
        s = cls(None)
        s._value = _GONE
        return s

    @property
    def is_redacted(self) -> bool:
        """True when this secret carries no value."""
        return self._value is _GONE

    def get(self) -> Any:
        """Reveal the value."""
        if self._value is _GONE:
            raise ValueError("this secret was redacted (restored from a snapshot)")
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    def __str__(self) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        a, b = self._value, other._value
        if isinstance(a, str) and isinstance(b, str):
            return hmac.compare_digest(a.encode(), b.encode())
        if isinstance(a, bytes) and isinstance(b, bytes):
            return hmac.compare_digest(a, b)
        return bool(a is b or a == b)

    def __hash__(self) -> int:
        return hash((Secret, self._value)) if self._value is not _GONE else hash(Secret)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")
