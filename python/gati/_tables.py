"""Tables that both backends and the layers above them share, written once.

The Rust extension keeps its own copy of each (it cannot import Python at compile time);
``tests/test_tables.py`` holds the native side to these, by behaviour.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "API_VERSION",
    "CONTENT_LENGTH",
    "CONTENT_TYPE",
    "FLAGS",
    "FORWARDED",
    "GATI_VERSION",
    "HEADER_SLOTS",
    "HOOK_KINDS",
    "HOOK_LEVELS",
    "JSON_INTEGER",
    "JSON_NUMBER",
    "PARAM_KINDS",
    "PLAN_LEVELS",
    "RARE_SLOTS",
    "REQUEST_ID",
    "STATE_MAX_DEPTH",
    "TRACEPARENT",
    "USER_AGENT",
    "X_FORWARDED_FOR",
]

# -- ingress (rust/ingress, _pure/ingress, http/ingress) ----
# Slots 0-3 are read by scan_headers itself; 4-9 are handed back raw, by slot, for the rare path.
CONTENT_TYPE, CONTENT_LENGTH, REQUEST_ID, USER_AGENT = 0, 1, 2, 3
GATI_VERSION, API_VERSION, FLAGS, TRACEPARENT, FORWARDED, X_FORWARDED_FOR = 4, 5, 6, 7, 8, 9
RARE_SLOTS: Final = 10
HEADER_SLOTS: Final[dict[bytes, int]] = {
    b"content-type": CONTENT_TYPE,
    b"content-length": CONTENT_LENGTH,
    b"x-request-id": REQUEST_ID,
    b"user-agent": USER_AGENT,
    b"gati-version": GATI_VERSION,
    b"x-api-version": API_VERSION,
    b"gati-flags": FLAGS,
    b"traceparent": TRACEPARENT,
    b"forwarded": FORWARDED,
    b"x-forwarded-for": X_FORWARDED_FOR,
}

# -- hooks (rust/hooks, _pure/hooks, gati.hook) ----
HOOK_KINDS: Final = ("before", "after", "catch")
HOOK_LEVELS: Final = ("global", "route", "local")
# The levels a route plan orders at start-up (local hooks append at run time).
PLAN_LEVELS: Final = ("global", "route")

# -- router (rust/router, _pure/router, http/routing) ----
# Parameter types, in the order matching tries them at a segment; ``path`` (the catch-all) last.
PARAM_KINDS: Final = ("int", "float", "uuid", "str", "path")
# JSON's number grammar (RFC 8259 §6), ASCII digits only: no sign but '-', no leading zeros, no
# '_', no surrounding space, no non-ASCII digits; an integer has neither fraction nor exponent.
# Path parameters (both routers) and query/header numbers (http/validation) follow it.
JSON_INTEGER: Final = r"-?(?:0|[1-9][0-9]*)\Z"
JSON_NUMBER: Final = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z"

# -- state (rust/state/copy.rs, _pure/values) ----
STATE_MAX_DEPTH: Final = 256
