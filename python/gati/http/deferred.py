"""Work deferred until after the response is sent (``lctx.defer(fn, *args)``), as Starlette's
background tasks: run one after another in the request's task once the last byte is out,
sync functions in a worker thread; a failure is logged with the request id and the rest
still run. Unlike ``lctx.track``, nothing here is cancelled at the end of the request.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool

from gati.lifecycle.hooks import is_async_callable

__all__ = ["run_deferred"]

_log = logging.getLogger("gati.request")


async def run_deferred(lctx: Any) -> None:
    """Run (and empty) the request's deferred calls."""
    calls = lctx.extras.deferred
    while calls:
        fn, args, kwargs = calls.pop(0)
        try:
            if is_async_callable(fn):
                await fn(*args, **kwargs)
            else:
                await run_in_threadpool(fn, *args, **kwargs)
        except Exception:
            name = getattr(fn, "__qualname__", None) or repr(fn)
            _log.exception(
                "deferred %s failed [%s]", name, lctx.meta.request_id, extra=lctx.log_extra()
            )
