"""``BackpressureError``: a bounded topic queue is full."""

from __future__ import annotations

import math

from gati.http.errors import HTTPError

__all__ = ["BackpressureError"]


class BackpressureError(HTTPError):
    """A publish found its topic's queue full (policy ``reject``, or ``block`` past its
    timeout). Raised inside a request it ends the request gracefully: catch hooks, ``on_error``,
    compensations and cleanup run, and the client gets 503 with ``Retry-After``."""

    def __init__(self, topic: str, detail: str, *, retry_after: float = 1.0) -> None:
        super().__init__(
            503,
            f"topic {topic!r}: {detail}",
            headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
        )
        self.topic = topic
