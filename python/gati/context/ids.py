"""Cheap, process-unique request ids: a random prefix plus a counter (DESIGN §12).

The native ``new_request_id`` (rust/ingress) makes one in 0.06 µs and is the one the native
``scan_headers`` uses, so a process has one counter whichever way ids are made.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from gati._backend import twin

__all__ = ["new_request_id"]

new_request_id: Callable[[], str] = twin("new_request_id")

# In a forked child (a pre-forking server's worker): a new prefix and a restarted counter.
os.register_at_fork(after_in_child=twin("reseed_request_ids"))
