"""Cheap, process-unique request ids: a random prefix plus a counter (DESIGN §12).

The native ``new_request_id`` (rust/ingress) makes the same shape of id in 0.06 µs and is
the one ``scan_headers`` uses, so a process has one counter whichever way ids are made.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable

from gati._backend import native

__all__ = ["new_request_id"]

_PREFIX: str
_next: Callable[[], int]


def _restart() -> None:
    """A new random prefix and a counter from 1: at import, and again in a forked child."""
    global _PREFIX, _next
    _PREFIX = os.urandom(6).hex() + "-"
    _next = itertools.count(1).__next__


_restart()


def _new_request_id() -> str:
    """A request id unique within this process and very likely across processes: the prefix,
    ``-``, the counter in hex (``hex()`` and a slice beat an f-string format by 0.04 µs)."""
    return _PREFIX + hex(_next())[2:]


new_request_id: Callable[[], str] = native.new_request_id if native is not None else _new_request_id


def _reseed() -> None:
    """In a forked child (a pre-forking server's worker): a new prefix and counter, so two
    workers forked from one parent never hand out the same ids."""
    _restart()
    if native is not None:
        native._reseed_request_ids()


os.register_at_fork(after_in_child=_reseed)
