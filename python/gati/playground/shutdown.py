"""``ShutdownWatch``: the Playground lets go of the server when it shuts down.

A server stopping gracefully (uvicorn on SIGTERM or Ctrl-C) first waits for every open
response to finish, and only then sends the lifespan shutdown. A live event stream never
finishes by itself, and a request paused at a gate waits up to its timeout: an open Playground
page would keep the server from stopping. So, at lifespan start-up, the Playground chains
itself onto the server's SIGINT and SIGTERM handlers (those a server installed from Python, in
the main thread): on the signal it ends the open streams and resumes the paused requests, then
hands the signal to the server's own handler, which goes on as before. The lifespan shutdown
does the same (for servers that send it first, and in-process clients) and restores the
handlers.

A server running off the main thread (``uvicorn.Server.serve`` in a thread of its own) gets no
signal (Python delivers signals to the main thread) and installs no handler to chain onto; it
stops when its owner sets ``should_exit``, and sends the lifespan shutdown only after its open
responses finish. What reaches the Playground then is uvicorn's graceful shutdown asking each
open connection to close: it turns the response's ``keep_alive`` off. ``closing`` reads that on
an event stream's connection; the stream looks every ``POLL`` seconds, and on seeing it lets go
as on a signal.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["POLL", "SERVER_SEND", "SIGNALS", "ShutdownWatch", "closing"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
POLL = 0.5  # seconds between an event stream's looks at its connection
# the scope key the Playground's own calls carry the server's ASGI send under (for ``closing``)
SERVER_SEND = "gati.playground.server_send"

_Handler = Callable[[int, FrameType | None], Any]


class ShutdownWatch:
    """Calls ``on_exit`` (in the event loop) once the server is asked to stop."""

    def __init__(self, on_exit: Callable[[], None]) -> None:
        self.on_exit = on_exit
        self._chained: dict[int, tuple[_Handler, _Handler]] = {}  # signal → (theirs, ours)

    async def start(self) -> None:
        """Lifespan start-up: chain onto the server's signal handlers (async: it must run in
        the loop's thread, the main one under a server that handles signals)."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            theirs = signal.getsignal(sig)
            if not callable(theirs) or sig in self._chained:
                continue  # no Python-level handler: no server waits on this signal
            ours = self._chain(loop, theirs)
            signal.signal(sig, ours)
            self._chained[sig] = (theirs, ours)

    async def stop(self) -> None:
        """Lifespan shutdown: let go (``on_exit``) and put the server's handlers back."""
        self.on_exit()
        for sig, (theirs, ours) in self._chained.items():
            if signal.getsignal(sig) is ours:  # nobody chained on top of us since
                signal.signal(sig, theirs)
        self._chained.clear()

    def _chain(self, loop: asyncio.AbstractEventLoop, theirs: _Handler) -> _Handler:
        def handler(signum: int, frame: FrameType | None) -> Any:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.on_exit)
            return theirs(signum, frame)

        return handler


def closing(send: Any) -> Callable[[], bool] | None:
    """Whether the server has asked the connection of ``send`` (the server's own ASGI send)
    to close: a test, for a server that says so (uvicorn, whose graceful shutdown turns an open
    response's ``keep_alive`` off, and nothing else does once the response has started), or
    None for a server that does not, or a connection not kept alive to begin with."""
    cycle: Any = getattr(send, "__self__", None)
    if getattr(cycle, "keep_alive", None) is not True:
        return None

    def asked() -> bool:
        return cycle.keep_alive is False

    return asked
