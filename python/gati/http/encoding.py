"""JSON encoding of response values: orjson for plain JSON, then the values with an obvious
JSON form that orjson leaves out (as FastAPI's ``jsonable_encoder`` does).

orjson itself encodes ``str``/``int``/``float``/``bool``/``None``, lists, tuples, dicts with
string keys, ``datetime``/``date``/``time`` (RFC 3339), ``uuid.UUID``, ``enum.Enum`` members,
dataclasses and numpy arrays. On top of that, only when orjson refuses a value:

=========================  ==========================================================
``decimal.Decimal``        a JSON number: an integer when it has no fraction (exact, beyond
                           64 bits too), else a float
``set`` / ``frozenset``    an array (sorted when the items are comparable)
named tuples               an array, like any tuple (``lctx.meta.client`` included)
``bytes`` / ``bytearray``  a base64 string (standard alphabet, padded), as a GType
                           ``bytes`` field reads it back
pydantic models            ``model.model_dump(mode="json")``
``gati.Secret``            the redacted marker ``"**********"``, never the value
dicts with non-str keys    ``int``/``float``/``bool``/``None``/``UUID``/dates as keys
                           become strings (orjson's ``OPT_NON_STR_KEYS``)
=========================  ==========================================================

Anything else raises ``ResponseNotEncodable`` naming the type and the path inside the value
(``$.items[2].price``); the app answers 500 and logs that message. Plain JSON pays nothing
for this: the fallback runs only after orjson refused the value once.
"""

from __future__ import annotations

import base64
import dataclasses
import decimal
from collections.abc import Mapping
from typing import Any

import orjson

from gati.secrets.value import REDACTED, Secret

__all__ = ["ResponseNotEncodable", "encode_json"]

_OPTIONS = orjson.OPT_NON_STR_KEYS
_dumps = orjson.dumps
_INT64 = range(-(2**63), 2**64)  # what orjson writes as an integer itself


class ResponseNotEncodable(TypeError):
    """A response value has no JSON form; ``path`` says where it sits inside the value."""

    def __init__(self, type_name: str, path: str) -> None:
        super().__init__(f"cannot encode a {type_name} as JSON at {path}")
        self.type_name = type_name
        self.path = path


def _plain(value: Any) -> Any:
    """orjson's ``default``: the JSON form of one value orjson does not know."""
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            whole = int(value)
            return whole if whole in _INT64 else orjson.Fragment(str(whole).encode())
        return float(value)
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    if isinstance(value, tuple):  # named tuples and other tuple subclasses
        return list(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    dump = getattr(value, "model_dump", None)
    if dump is not None and callable(dump):  # a pydantic model
        return dump(mode="json")
    if isinstance(value, Mapping):  # a mapping that is not a dict
        return dict(value)
    raise TypeError(type(value).__name__)


def encode_json(value: Any) -> bytes:
    """``value`` as JSON bytes (see the module docstring for the types beyond plain JSON)."""
    try:
        return _dumps(value)
    except TypeError:
        pass
    try:
        return _dumps(value, default=_plain, option=_OPTIONS)
    except TypeError:
        raise _locate(value) from None


def _locate(value: Any) -> ResponseNotEncodable:
    """Walk ``value`` to the first part that has no JSON form (iteratively: no recursion
    limit to hit) and name its type and path."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, path = stack.pop()
        try:
            _dumps(item, default=_plain, option=_OPTIONS)
            continue
        except TypeError:
            pass
        children: list[tuple[Any, str]] = []
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    return ResponseNotEncodable(f"{type(key).__name__} key", path)
                children.append((child, f"{path}.{key}"))
        elif isinstance(item, (list, tuple, set, frozenset)):
            children = [(child, f"{path}[{i}]") for i, child in enumerate(item)]
        elif dataclasses.is_dataclass(item):
            children = [
                (getattr(item, f.name), f"{path}.{f.name}") for f in dataclasses.fields(item)
            ]
        if not children:
            return ResponseNotEncodable(type(item).__name__, path)
        stack.extend(reversed(children))
    return ResponseNotEncodable(type(value).__name__, "$")
