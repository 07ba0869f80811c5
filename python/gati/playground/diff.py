"""Structural diff of two recorded responses (Property 46): status, headers and JSON body.

``changes(a, b)`` walks both values together: objects key by key, arrays index by index,
anything else compared whole, giving ``{"op", "path", "left", "right"}`` entries. It is empty
exactly when ``a == b``, and swapping the sides swaps ``added``/``removed`` and ``left``/
``right`` (antisymmetry). Headers are compared as a multimap (name → values); the request id
differs by nature and is left out. Deep values are walked with an explicit stack.
"""

from __future__ import annotations

from typing import Any

from gati.playground.record import Record, Step, body_json

__all__ = ["changes", "diff_records"]

_UNCOMPARED = frozenset({"x-request-id", "content-length"})


def changes(left: Any, right: Any) -> list[dict[str, Any]]:
    """The changes turning ``left`` into ``right`` (paths of keys and indexes)."""
    out: list[dict[str, Any]] = []
    stack: list[tuple[list[str | int], Any, Any]] = [([], left, right)]
    while stack:
        path, a, b = stack.pop()
        if type(a) is dict and type(b) is dict:
            for key in sorted(a.keys() | b.keys(), reverse=True):
                if key not in b:
                    out.append(
                        {"op": "removed", "path": [*path, key], "left": a[key], "right": None}
                    )
                elif key not in a:
                    out.append({"op": "added", "path": [*path, key], "left": None, "right": b[key]})
                else:
                    stack.append(([*path, key], a[key], b[key]))
        elif type(a) is list and type(b) is list:
            for i in range(max(len(a), len(b)) - 1, -1, -1):
                if i >= len(b):
                    out.append({"op": "removed", "path": [*path, i], "left": a[i], "right": None})
                elif i >= len(a):
                    out.append({"op": "added", "path": [*path, i], "left": None, "right": b[i]})
                else:
                    stack.append(([*path, i], a[i], b[i]))
        elif not _same(a, b):
            out.append({"op": "changed", "path": path, "left": a, "right": b})
    out.sort(key=lambda c: [(type(p).__name__, p) for p in c["path"]])
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values (``1`` and ``True`` differ, ``1`` and ``1.0`` do not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b) and (type(a) in (int, float)) == (type(b) in (int, float))


def _header_map(record: Record, secrets: tuple[str, ...]) -> dict[str, list[str]]:
    from gati.playground.redact import headers

    found: dict[str, list[str]] = {}
    for name, value in headers(record.response_headers, secrets):
        if name not in _UNCOMPARED:
            found.setdefault(name, []).append(value)
    return found


def diff_records(
    left: Record, right: Record, secrets: tuple[str, ...], timelines: tuple[list[Step], list[Step]]
) -> dict[str, Any]:
    """The diff view of two records (PLAYGROUND_API.md, ``GET diff``) and their timelines."""
    return {
        "left": left.summary(),
        "right": right.summary(),
        "status": {
            "left": left.status,
            "right": right.status,
            "equal": left.status == right.status,
        },
        "headers": changes(_header_map(left, secrets), _header_map(right, secrets)),
        "body": changes(
            body_json(left.response_body, left.response_media, secrets),
            body_json(right.response_body, right.response_media, secrets),
        ),
        "timelines": {
            "left": [s.as_dict() for s in timelines[0]],
            "right": [s.as_dict() for s in timelines[1]],
        },
    }
