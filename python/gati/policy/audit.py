"""``AuditLog``: one JSON line per request on the logger ``gati.audit`` (``App(audit=True)``).

The line holds the request id, handler id, version, manifest fingerprint (when known), method,
route, principal subject, client address, status, duration, final phase and a lifecycle
summary (hooks run, retries, errors, the failure's type). Never a body, a header value, a
claim or an error message: nothing a client sent can reach the log through it, and no secret.

It joins the lifecycle as the app's first built-in step (``App.add_step``: every request,
including those no route takes — 404, 405 — gets its line; its cleanup callback is registered first,
so it runs last; the line is written once the outcome is settled) and listens to the
lifecycle events to count hooks and retries; that listener is why auditing costs a few µs
per request, and why it is off by default.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson

from gati.errors import RequestTimeout
from gati.http.errors import HTTPError
from gati.http.request import ClientDisconnect
from gati.http.validation import RequestInvalid
from gati.lifecycle.hooks import Hook

__all__ = ["AuditLog", "status_of"]


def status_of(failure: BaseException | None, res: Any, phase: str) -> int:
    """The status the client gets, as ``App`` maps a request's outcome to a response."""
    if failure is None or phase == "completed":  # succeeded, or a catch hook answered
        delegated = getattr(res, "asgi", None)
        return int(getattr(delegated, "status_code", res.status_code))
    if phase == "timeout" or isinstance(failure, RequestTimeout):
        return 504
    if isinstance(failure, HTTPError):
        return failure.status
    if isinstance(failure, RequestInvalid):
        return 400
    if isinstance(failure, ClientDisconnect):
        return 499
    return 500


class AuditLog:
    """Writes the audit lines; ``fingerprints`` maps handler ids to manifest fingerprints."""

    def __init__(
        self,
        *,
        logger: logging.Logger | None = None,
        fingerprints: Mapping[str, str] | None = None,
    ) -> None:
        self.logger = logger or logging.getLogger("gati.audit")
        self.fingerprints = dict(fingerprints or {})
        self._open: dict[str, list[int]] = {}

    def observe(self, ev: dict[str, Any]) -> None:
        """Lifecycle event listener: counts hooks, retries and errors of audited requests."""
        counts = self._open.get(ev["request_id"])
        if counts is None:
            return
        kind = ev["type"]
        if kind == "hook.end":
            counts[0] += 1
        elif kind == "hook.retry":
            counts[1] += 1
        elif kind in ("hook.error", "handler.error", "validation.error"):
            counts[2] += 1

    def step(self) -> Hook:
        """The built-in step (``gati.audit``) ``App`` puts ahead of every request's hooks."""
        return Hook(self.__call__, kind="before", level="global", id="gati.audit")

    async def __call__(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """The lifecycle step: arrange for the line to be written when the request ends."""
        rid = lctx.meta.request_id
        counts: list[int] | None = None
        if rid not in self._open:  # a client-chosen X-Request-ID may repeat concurrently
            counts = self._open[rid] = [0, 0, 0]
        failures: list[BaseException] = []
        lctx.on_error(failures.append)

        def write() -> None:
            if counts is not None:
                del self._open[rid]
            self.write(lctx, res, failures[0] if failures else None, counts)

        def at_cleanup() -> None:
            # Cleanup runs before the lifecycle settles the outcome (a catch hook's answer
            # moves a failed request to "completed" right after it, with no await between):
            # write on the next turn of the loop, when the final phase is known.
            asyncio.get_running_loop().call_soon(write)

        lctx.on_cleanup(at_cleanup)

    def write(
        self, lctx: Any, res: Any, failure: BaseException | None, counts: list[int] | None
    ) -> None:
        """Log one request's line."""
        meta = lctx.meta
        client = meta.client
        principal = meta.principal
        phase = meta.phase
        line = {
            "request_id": meta.request_id,
            "handler_id": meta.handler_id,
            "version": meta.version,
            "fingerprint": self.fingerprints.get(meta.handler_id or ""),
            "method": meta.method,
            "route": meta.route,
            "principal": None if principal is None else principal.subject,
            "client": None if client is None else client[0],
            "status": status_of(failure, res, phase),
            "duration_ms": round((time.time() - meta.started_at) * 1000, 3),
            "phase": phase,
            "lifecycle": {
                "hooks": None if counts is None else counts[0],
                "retries": None if counts is None else counts[1],
                "errors": None if counts is None else counts[2],
                "failure": None if failure is None else type(failure).__name__,
            },
        }
        self.logger.info(orjson.dumps(line).decode())
