"""Streamed bodies: ``res.stream(...)``, Server-Sent Events (``res.sse(...)``) and files
(``res.file(path)``), sent by Starlette's ``StreamingResponse`` and ``FileResponse``.

The route timeout covers hooks and the handler, not the sending of a streamed body; the
request's cleanup callbacks run after the last byte is out or the client disconnected, and a
disconnect stops (closes) the iterator. A plain (sync) iterable is iterated on a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import FileResponse, StreamingResponse

from gati.http.errors import HTTPError

__all__ = ["ServerSentEvent", "file_response", "sse_response", "stream_response"]

SSE_MEDIA = "text/event-stream"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One event: ``data`` (text, or any other value sent as JSON), with optional ``event``
    name, ``id`` and ``retry`` (milliseconds the client waits before reconnecting)."""

    data: Any = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    def __post_init__(self) -> None:
        for name, field in (("event", self.event), ("id", self.id)):
            if field is not None and (not isinstance(field, str) or "\n" in field or "\r" in field):
                raise ValueError(f"an SSE {name} is a string without line breaks, not {field!r}")
        retry = self.retry
        if retry is not None and (
            isinstance(retry, bool) or not isinstance(retry, int) or retry < 0
        ):
            # a browser ignores any other retry field
            raise ValueError(f"an SSE retry is an int >= 0 (milliseconds), not {retry!r}")

    def encode(self) -> bytes:
        """The event in the ``text/event-stream`` format (a blank line ends it)."""
        lines: list[str] = []
        for name, field in (("event", self.event), ("id", self.id)):
            if field is not None:
                lines.append(f"{name}: {field}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        text = self.data if isinstance(self.data, str) else orjson.dumps(self.data).decode()
        lines.extend(f"data: {line}" for line in text.splitlines() or [""])
        return ("\n".join(lines) + "\n\n").encode("utf-8")


async def _closing(items: AsyncIterable[Any] | Iterable[Any]) -> AsyncGenerator[Any, None]:
    """Iterate ``items`` and always close the generator behind it (a disconnect cancels the
    sending task; the producer must stop too). A plain iterable is iterated on a worker
    thread, as Starlette does: a sync generator that blocks (a file, a query) never stalls
    the event loop, which also sees a disconnect between two chunks (iterated on the loop,
    an endless generator went on after the client left and starved every other request)."""
    if not isinstance(items, AsyncIterable):
        chunks = iter(items)
        try:
            async for item in iterate_in_threadpool(chunks):
                yield item
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return
    iterator = aiter(items)
    try:
        async for item in iterator:
            yield item
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


async def _events(
    items: AsyncIterable[Any] | Iterable[Any], ping: float | None
) -> AsyncIterator[bytes]:
    """Encoded events, with a ``: ping`` comment whenever ``ping`` seconds pass without one."""
    iterator = _closing(items)
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=ping)
            if not done:
                yield b": ping\n\n"
                continue
            try:
                item = pending.result()
            except StopAsyncIteration:
                return
            finally:
                pending = None
            event = item if isinstance(item, ServerSentEvent) else ServerSentEvent(item)
            yield event.encode()
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending  # the producer must stop running before it can be closed
        await iterator.aclose()


def stream_response(
    items: AsyncIterable[Any] | Iterable[Any], status: int, media_type: str | None
) -> StreamingResponse:
    """A streamed body of ``bytes``/``str`` chunks."""
    return StreamingResponse(_closing(items), status_code=status, media_type=media_type)


def sse_response(
    items: AsyncIterable[Any] | Iterable[Any], status: int, ping: float | None
) -> StreamingResponse:
    """A ``text/event-stream`` of ``ServerSentEvent``s (other items become the ``data``)."""
    if ping is not None and not ping > 0:
        raise ValueError("ping must be a positive number of seconds or None")
    response = StreamingResponse(_events(items, ping), status_code=status, media_type=SSE_MEDIA)
    response.headers["cache-control"] = "no-cache"
    response.headers["x-accel-buffering"] = "no"  # proxies (nginx) must not buffer events
    return response


def file_response(
    path: str | os.PathLike[str],
    status: int,
    *,
    filename: str | None,
    media_type: str | None,
    inline: bool,
) -> FileResponse:
    """A file with ``Range`` requests (206/416), ``ETag`` and ``Last-Modified`` handled by
    Starlette; a path that is not a regular file is a 404."""
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None or not os.path.isfile(path):
        raise HTTPError(404, "file not found")
    return FileResponse(
        path,
        status_code=status,
        media_type=media_type,
        filename=filename,
        stat_result=stat,
        content_disposition_type="inline" if inline else "attachment",
    )
