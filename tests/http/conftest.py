"""Shared helpers for the HTTP tests: a raw ASGI driver for cases httpx cannot express."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pytest


class Raw:
    """What one raw ASGI exchange produced."""

    def __init__(self, messages: list[dict[str, Any]], reads: int) -> None:
        start = messages[0]
        self.status: int = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start["headers"]}
        self.body = b"".join(m.get("body", b"") for m in messages[1:])
        self.reads = reads

    def json(self) -> Any:
        return orjson.loads(self.body)


async def call_raw(
    app: Any,
    method: str,
    path: str,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    chunks: Sequence[bytes] = (b"",),
    query: bytes = b"",
    client: tuple[str, int] = ("127.0.0.1", 1234),
    root_path: str = "",
) -> Raw:
    """Drive ``app`` with a hand-made scope and a body in ``chunks``; counts body reads."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogateescape"),
        "root_path": root_path,
        "query_string": query,
        "headers": list(headers),
        "client": client,
        "server": ("testserver", 80),
    }
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        if pending:
            reads += 1
            return pending.pop(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return Raw(sent, reads)


@pytest.fixture
def raw() -> Any:
    return call_raw
