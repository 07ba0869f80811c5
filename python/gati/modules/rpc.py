"""A JSON-RPC 2.0 peer over one byte stream, used by both ends of the process runtime.

Frames are one JSON object per line (orjson never writes a raw newline). Either side may call
the other: gati calls module methods; a module calls back for the capabilities it declared
(``gati.ctx.*``). Requests are served concurrently; replies are matched by id. A malformed frame
ends the peer with ``ProtocolError``, and every call still waiting fails.

Metadata such as trace context travels beside the arguments: while ``OUTGOING_HEADERS`` holds a
mapping, each request carries it as a ``headers`` member (a gati extension of the request
object), and the receiving side exposes it to the method's task as ``INCOMING_HEADERS``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, Final

import orjson

from gati.modules.errors import APPLICATION_ERROR

__all__ = [
    "INCOMING_HEADERS",
    "MAX_FRAME",
    "OUTGOING_HEADERS",
    "PeerClosed",
    "ProtocolError",
    "RemoteError",
    "RpcPeer",
]

MAX_FRAME: Final = 16 << 20
OUTGOING_HEADERS: ContextVar[Mapping[str, str] | None] = ContextVar(
    "gati_rpc_outgoing_headers", default=None
)
INCOMING_HEADERS: ContextVar[Mapping[str, str] | None] = ContextVar(
    "gati_rpc_incoming_headers", default=None
)
Handler = Callable[[str, dict[str, Any]], Awaitable[Any]]


class RemoteError(Exception):
    """The other side answered with a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.data = data


class PeerClosed(Exception):
    """The stream ended (or broke) before the reply came; ``sent`` is False when the request
    never left (so repeating it is safe)."""

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


class ProtocolError(Exception):
    """The other side sent something that is not JSON-RPC 2.0."""


def error_object(exc: BaseException) -> dict[str, Any]:
    """The JSON-RPC error member for an exception raised by a method."""
    if isinstance(exc, RemoteError):
        return {"code": exc.code, "message": exc.message, "data": exc.data}
    code = getattr(exc, "code", None)
    return {
        "code": code if isinstance(code, int) and not isinstance(code, bool) else APPLICATION_ERROR,
        "message": f"{type(exc).__name__}: {exc}",
    }


class RpcPeer:
    """One end of a JSON-RPC connection; ``handler(method, params)`` answers the other end."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._handler = handler
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = False

    def send(self, message: dict[str, Any]) -> None:
        """Write one frame (a broken stream surfaces on the next read)."""
        if self.closed:
            raise PeerClosed("the connection is closed", sent=False)
        self._writer.write(orjson.dumps(message) + b"\n")

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call ``method`` on the other side and wait for its result (``RemoteError`` or
        ``PeerClosed`` otherwise). Cancelling the wait abandons the call."""
        rid = next(self._ids)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        request = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}
        headers = OUTGOING_HEADERS.get()
        if headers:
            request["headers"] = dict(headers)
        try:
            self.send(request)
            return await fut
        finally:
            self._pending.pop(rid, None)

    async def serve(self) -> None:
        """Read frames until the stream ends; raises ``ProtocolError`` on a malformed one."""
        try:
            while True:
                try:
                    line = await self._reader.readuntil(b"\n")
                except asyncio.IncompleteReadError:
                    return
                except asyncio.LimitOverrunError as exc:
                    raise ProtocolError(f"a frame longer than {MAX_FRAME} bytes") from exc
                except (ConnectionError, OSError):
                    return
                self._dispatch(line)
        except ProtocolError as exc:
            self.close(f"malformed JSON-RPC from the other side: {exc}")
            raise
        finally:
            self.close()

    def _dispatch(self, line: bytes) -> None:
        try:
            msg = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ProtocolError(f"not JSON: {line[:80]!r}") from exc
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            raise ProtocolError(f"not a JSON-RPC 2.0 object: {line[:80]!r}")
        if "method" in msg:
            method, params = msg["method"], msg.get("params", {})
            if not isinstance(method, str) or not isinstance(params, dict):
                raise ProtocolError(f"a request needs a string method and object params: {msg!r}")
            headers = msg.get("headers")
            if headers is not None and not isinstance(headers, dict):
                raise ProtocolError(f"request headers must be an object: {headers!r}")
            task = asyncio.ensure_future(self._answer(msg.get("id"), method, params, headers))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        fut = self._pending.get(msg.get("id"))  # type: ignore[arg-type]
        error = msg.get("error")
        if error is not None:
            if not isinstance(error, dict) or not isinstance(error.get("code"), int):
                raise ProtocolError(f"a malformed error object: {error!r}")
            if fut is not None and not fut.done():
                fut.set_exception(
                    RemoteError(error["code"], str(error.get("message", "")), error.get("data"))
                )
        elif "result" in msg:
            if fut is not None and not fut.done():
                fut.set_result(msg["result"])
        else:
            raise ProtocolError(f"neither a request nor a reply: {line[:80]!r}")

    async def _answer(
        self, rid: Any, method: str, params: dict[str, Any], headers: dict[str, str] | None
    ) -> None:
        if headers:  # this task's own context: seen by the method, by nothing else
            INCOMING_HEADERS.set(headers)
        try:
            reply: dict[str, Any] = {"result": await self._handler(method, params)}
        except Exception as exc:
            reply = {"error": error_object(exc)}
        if rid is not None and not self.closed:
            reply["jsonrpc"] = "2.0"
            reply["id"] = rid
            try:
                self.send(reply)
            except (TypeError, orjson.JSONEncodeError) as exc:
                self.send({"jsonrpc": "2.0", "id": rid, "error": error_object(exc)})

    def close(self, reason: str = "the connection closed before the reply") -> None:
        """Fail every waiting call with ``PeerClosed(reason)`` and stop answering."""
        if self.closed:
            return
        self.closed = True
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(PeerClosed(reason))
        for task in self._tasks:
            task.cancel()
        self._writer.close()
