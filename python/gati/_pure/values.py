"""Value semantics for ``lctx.state``: the one place that decides what a stored value is (pure
twin of the native ``copy_value``, ``rust/state/copy.rs``).

Both state stores call ``copy_value`` on the way in and on the way out, so a value in the store
(and in every snapshot, which shares the store's entries) can only change through ``set``.
"""

from __future__ import annotations

from typing import Any, Final

from gati._tables import STATE_MAX_DEPTH as MAX_DEPTH

__all__ = ["copy_value"]

_CONTAINERS: Final = frozenset({dict, list, tuple, set, bytearray})


def copy_value(value: Any, _depth: int = 0) -> Any:
    """Return an independent copy of ``value``'s built-in containers.

    ``dict``, ``list``, ``tuple``, ``set`` and ``bytearray`` are copied recursively (exact types
    only); every other object (immutable scalars, and instances of any other class) is returned
    as it is, so the store holds such objects by reference. ``gati._native.copy_value`` is the
    native twin.
    """
    t = type(value)
    if t not in _CONTAINERS:
        return value
    if _depth >= MAX_DEPTH:
        raise ValueError(f"state value nested deeper than {MAX_DEPTH} levels (or cyclic)")
    d = _depth + 1
    if t is dict:
        return {k: copy_value(v, d) for k, v in value.items()}
    if t is list:
        return [copy_value(v, d) for v in value]
    if t is tuple:
        return tuple([copy_value(v, d) for v in value])
    if t is set:
        return set(value)
    return bytearray(value)
