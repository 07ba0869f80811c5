"""Hand-written plans (docs/gtype.md §4) for testing validators without the planner."""

from __future__ import annotations

from typing import Any

from gati.gtype._messages import CODES as ALL_CODES
from gati.gtype._regex import bounded, re2_syntax
from gati.gtype.validator import Validator

GLOBAL_CODES = ("depth_exceeded", "recursion_loop", "too_many_errors", "json_invalid")
CODES = tuple(code for code in ALL_CODES if code not in GLOBAL_CODES)

KIND_KEYS: dict[str, dict[str, Any]] = {
    "string": {
        "min_length": None,
        "max_length": None,
        "pattern": None,
        "pattern_timeout": None,
        "pattern_engine": None,
        "pattern_re2": None,
        "pattern_bounded": False,
        "format": None,
    },
    "number": dict.fromkeys(("min", "max", "exclusive_min", "exclusive_max", "multiple_of")),
    "integer": dict.fromkeys(("min", "max", "exclusive_min", "exclusive_max", "multiple_of")),
    "enum": {"enum_class": None},
    "object": {"extra": "ignore"},
    "array": {"min_items": None, "max_items": None, "unique_items": False},
    "tuple": {"rest": None},
    "union": {"discriminator": None, "mapping": None},
}


def msgs(codes: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """Distinct planned strings per code, so tests can see which one was copied."""
    return {c: [f"exp:{c}", f"msg:{c}"] for c in codes}


def node(kind: str, **keys: Any) -> dict[str, Any]:
    """One plan node with every kind key present, as the planner makes them."""
    n: dict[str, Any] = {"type": kind, "nullable": False, "validators": [], "msgs": msgs(CODES)}
    n.update(KIND_KEYS.get(kind, {}))
    if kind == "string" and keys.get("pattern") is not None:  # the planner's pattern keys
        n["pattern_re2"] = re2_syntax(keys["pattern"])
        n["pattern_bounded"] = bounded(keys["pattern"])
    n.update(keys)
    return n


def obj(props: dict[str, dict[str, Any]], optional: tuple[str, ...] = (), **keys: Any) -> dict:
    """An object node; every property is required unless named in `optional`."""
    properties = [[name, name not in optional, n] for name, n in props.items()]
    return node("object", properties=properties, **keys)


def plan(
    root: dict[str, Any],
    definitions: dict[str, Any] | None = None,
    max_errors: int = 100,
    max_depth: int = 256,
) -> dict[str, Any]:
    return {
        "root": root,
        "definitions": definitions or {},
        "max_errors": max_errors,
        "max_depth": max_depth,
        "msgs": msgs(GLOBAL_CODES),
    }


def compile_plan(root: dict[str, Any], **kw: Any) -> Any:
    """The active backend's Validator for a hand-written plan."""
    return Validator(plan(root, **kw))
