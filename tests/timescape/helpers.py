"""Helpers for the Timescape tests: a versioned app built from a list of dates, and a
synchronous way to send it one request (for Hypothesis tests, which are not async)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from gati import App, gt

PATH = "/things/{id:int}"


def versioned_app(
    dates: Iterable[str], *, other: Iterable[str] = (), pinned: bool = True, **options: Any
) -> App:
    """``GET /things/{id:int}`` with one implementation per date (each answering its date;
    ``pinned``: each version keeps its own implementation, though their schemas are equal);
    ``other`` dates version ``GET /other`` (they move the app's earliest version)."""
    app = App(**options)
    for date in dates:
        add_version(app, date, pin_versions=pinned)
    for date in other:

        @app.get("/other", version=date)
        async def other_handler(req: Any, res: Any, lctx: Any, gctx: Any, d: str = date) -> Any:
            return {"impl": d}

    return app


def add_version(app: App, date: str, *, response: Any = None, **options: Any) -> None:
    """One implementation of ``GET /things/{id:int}`` answering ``{"impl": date, ...}``."""
    schema = response or gt.object({"impl": gt.string(), "meta": gt.string()})

    @app.get(PATH, version=date, response=schema, id=f"things.{date}", **options)
    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"impl": date, "meta": lctx.meta.version}


def request(
    app: Any,
    method: str = "GET",
    path: str = "/things/1",
    *,
    headers: Mapping[str, str | bytes] | None = None,
    json: Any = None,
) -> httpx.Response:
    """Send one request to ``app`` in-process and return the response."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, headers=headers, json=json)

    return asyncio.run(go())
