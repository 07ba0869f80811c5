"""Every ``expected`` and ``message`` string the validators copy into errors (docs/gtype.md §6).

They are written once, here, at plan time, so both backends say exactly the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CODES",
    "FORMAT_NOUNS",
    "global_msgs",
    "join_or",
    "member_label",
    "node_msgs",
    "show_value",
    "tag_msgs",
    "type_noun",
]

CODES = (
    "string_type",
    "number_type",
    "integer_type",
    "boolean_type",
    "null_type",
    "object_type",
    "array_type",
    "tuple_type",
    "record_type",
    "literal_error",
    "enum_error",
    "number_finite",
    "number_min",
    "number_max",
    "number_exclusive_min",
    "number_exclusive_max",
    "number_multiple_of",
    "string_min_length",
    "string_max_length",
    "string_pattern",
    "string_pattern_timeout",
    "string_format",
    "array_min_items",
    "array_max_items",
    "array_unique_items",
    "tuple_length",
    "key_type",
    "object_missing",
    "object_extra",
    "union_mismatch",
    "union_tag_missing",
    "union_tag_invalid",
    "custom",
    "depth_exceeded",
    "recursion_loop",
    "too_many_errors",
    "json_invalid",
)
"""Every error code, in the order of docs/gtype.md §6; the native `Code` table and the docs
table are held to it by tests/gtype/test_codes.py."""

FORMAT_NOUNS = {
    "email": "email address",
    "url": "URL",
    "uuid": "UUID",
    "date": "date",
    "date-time": "date-time",
    "time": "time",
    "ipv4": "IPv4 address",
    "ipv6": "IPv6 address",
    "hostname": "hostname",
}

_TYPE_MESSAGES = {
    "string": ("string", "Input should be a valid string"),
    "number": ("number", "Input should be a valid number"),
    "integer": ("integer", "Input should be a valid integer"),
    "boolean": ("boolean", "Input should be a valid boolean"),
    "null": ("null", "Input should be null"),
    "object": ("object", "Input should be an object"),
    "array": ("array", "Input should be an array"),
    "tuple": ("array", "Input should be an array"),
    "record": ("object", "Input should be an object"),
}


def show_value(value: Any) -> str:
    """A candidate value as people read it in JSON: ``"admin"``, ``18``, ``true``, ``null``."""
    return json.dumps(value, ensure_ascii=False)


def join_or(words: Sequence[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b or c"``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _one_of(shown: Sequence[str]) -> str:
    """The ``expected`` text for a choice of values: the value itself, or ``one of a, b``."""
    return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)


def _num(x: int | float) -> str:
    return repr(x)


def type_noun(node: dict[str, Any]) -> str:
    """What a node accepts, in a few words, before any "or null": ``"string"``, ``"Address"``."""
    kind = node["type"]
    if kind in ("literal", "enum"):
        return join_or([show_value(v) for v in node["values"]])
    if kind == "ref":
        name: str = node["name"]
        return name
    if kind == "any":
        return "any value"
    if kind == "union":
        return join_or(list(dict.fromkeys(member_label(m) for m in node["members"])))
    if kind == "intersection":
        return " and ".join(dict.fromkeys(member_label(m) for m in node["members"]))
    return _TYPE_MESSAGES[kind][0]


def member_label(node: dict[str, Any]) -> str:
    """A union or intersection member's label: its definition name, else its type noun."""
    label: str = node.get("name") or type_noun(node)
    return label


def _or_null(text: str, nullable: bool) -> str:
    return f"{text} or null" if nullable else text


def node_msgs(node: dict[str, Any]) -> dict[str, list[str]]:
    """``{code: [expected, message]}`` for every code a (core) node can emit."""
    kind, nullable = node["type"], bool(node.get("nullable", False))
    msgs: dict[str, list[str]] = {}
    if kind in _TYPE_MESSAGES:
        noun, message = _TYPE_MESSAGES[kind]
        msgs[f"{kind}_type"] = [_or_null(noun, nullable), _or_null(message, nullable)]
    if kind in ("number", "integer"):
        _number_msgs(node, kind, msgs)
    elif kind == "string":
        _string_msgs(node, msgs)
    elif kind in ("literal", "enum"):
        shown = [show_value(v) for v in node["values"]]
        msgs[f"{kind}_error"] = [
            _or_null(_one_of(shown), nullable),
            "Input should be " + _or_null(join_or(shown), nullable),
        ]
    elif kind in ("object", "record"):
        msgs["key_type"] = ["string keys", "Object keys should be strings"]
        if kind == "object":
            if node.get("required"):
                msgs["object_missing"] = ["required property", "Field required"]
            if node.get("extra") == "forbid":
                msgs["object_extra"] = ["no extra properties", "Extra properties are not permitted"]
    elif kind == "array":
        _array_msgs(node, msgs)
    elif kind == "tuple":
        n = len(node["items"])
        how = "at least" if node.get("rest") is not None else "exactly"
        msgs["tuple_length"] = [
            f"array of {how} {_plural(n, 'item')}",
            f"Array should have {how} {_plural(n, 'item')}",
        ]
    elif kind == "union":
        _union_msgs(node, nullable, msgs)
    if node.get("validators") or node.get("convert") or node.get("enum_class"):
        msgs["custom"] = [
            "value accepted by its custom validators",
            "Value failed custom validation",
        ]
    return msgs


def _number_msgs(node: dict[str, Any], kind: str, msgs: dict[str, list[str]]) -> None:
    if kind == "number":
        msgs["number_finite"] = ["finite number", "Input should be a finite number"]
    for key, code, sign, words in (
        ("min", "number_min", "≥", "greater than or equal to"),
        ("max", "number_max", "≤", "less than or equal to"),
        ("exclusive_min", "number_exclusive_min", ">", "greater than"),
        ("exclusive_max", "number_exclusive_max", "<", "less than"),
    ):
        if node.get(key) is not None:
            bound = _num(node[key])
            msgs[code] = [f"{kind} {sign} {bound}", f"Input should be {words} {bound}"]
    if node.get("multiple_of") is not None:
        m = _num(node["multiple_of"])
        msgs["number_multiple_of"] = [
            f"{kind} multiple of {m}",
            f"Input should be a multiple of {m}",
        ]


def _size_msgs(
    node: dict[str, Any], kind: str, key: str, unit: str, msgs: dict[str, list[str]]
) -> None:
    """``{kind}_min_{key}`` / ``{kind}_max_{key}``: a string's or an array's size bounds."""
    for end, how in (("min", "at least"), ("max", "at most")):
        bound = node.get(f"{end}_{key}")
        if bound is not None:
            n = _plural(bound, unit)
            msgs[f"{kind}_{end}_{key}"] = [
                f"{kind} of {how} {n}",
                f"{kind.capitalize()} should have {how} {n}",
            ]


def _string_msgs(node: dict[str, Any], msgs: dict[str, list[str]]) -> None:
    _size_msgs(node, "string", "length", "character", msgs)
    if node.get("pattern") is not None:
        p = node["pattern"]
        msgs["string_pattern"] = [f"string matching {p}", f"String should match pattern '{p}'"]
        if node.get("pattern_timeout") is not None:
            t = node["pattern_timeout"]
            msgs["string_pattern_timeout"] = [
                f"string matching {p} within {t} s",
                f"Pattern '{p}' took longer than {t} s on this string",
            ]
    if node.get("format") is not None:
        noun = FORMAT_NOUNS[node["format"]]
        msgs["string_format"] = [noun, f"Input should be a valid {noun}"]


def _array_msgs(node: dict[str, Any], msgs: dict[str, list[str]]) -> None:
    _size_msgs(node, "array", "items", "item", msgs)
    if node.get("unique_items"):
        msgs["array_unique_items"] = ["array of unique items", "Array items should be unique"]


def _union_msgs(node: dict[str, Any], nullable: bool, msgs: dict[str, list[str]]) -> None:
    disc = node.get("discriminator")
    if disc is None:
        labels = list(dict.fromkeys(member_label(m) for m in node["members"]))
        expected = join_or([*labels, "null"] if nullable else labels)
        msgs["union_mismatch"] = [expected, f"Input should be {expected}"]
        return
    msgs["object_type"] = [
        _or_null("object", nullable),
        _or_null("Input should be an object", nullable),
    ]
    msgs["union_tag_missing"] = [
        f'object with a "{disc}" property',
        f'Discriminator property "{disc}" is missing',
    ]


def tag_msgs(disc: str, tags: Sequence[Any]) -> list[str]:
    """``[expected, message]`` for ``union_tag_invalid``, once the tags are known."""
    shown = [show_value(t) for t in tags]
    return [_one_of(shown), f'Discriminator "{disc}" should be {join_or(shown)}']


def global_msgs(max_errors: int, max_depth: int) -> dict[str, list[str]]:
    """The plan-level ``msgs``: codes that belong to no node."""
    return {
        "depth_exceeded": [
            f"at most {max_depth} levels of nesting",
            f"Input is nested deeper than {max_depth} levels",
        ],
        "recursion_loop": ["acyclic data", "Recursion loop: the input contains itself"],
        "too_many_errors": [
            f"at most {max_errors} errors",
            f"Too many errors: stopped after {max_errors}",
        ],
        "json_invalid": ["valid JSON", "Invalid JSON"],
    }
