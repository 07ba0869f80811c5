"""The Playground's HTTP side (PLAYGROUND_API.md): a Starlette app mounted at ``/_gati``.

Its paths never go through the app's lifecycle (no user hooks or policies, never recorded);
``access`` decides who may use them, before anything else runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route, Router

from gati.context.ids import new_request_id
from gati.http.errors import PROBLEM_JSON, problem_body
from gati.playground import access
from gati.playground.shutdown import SERVER_SEND

if TYPE_CHECKING:
    from gati.playground.core import Playground

__all__ = ["PlaygroundAPI", "problem"]

_log = logging.getLogger("gati.playground")
STATIC = Path(__file__).resolve().parent / "static"
_NO_STORE = {"cache-control": "no-store"}


def problem(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    """An RFC 9457 problem response."""
    body = problem_body(status, detail, new_request_id(), extra=extra or None)
    return Response(
        body, status, media_type=PROBLEM_JSON.decode(), headers={**_NO_STORE, **(headers or {})}
    )


def json(data: Any, status: int = 200) -> Response:
    """A JSON response (never cached: it shows live data)."""
    return Response(orjson.dumps(data), status, media_type="application/json", headers=_NO_STORE)


async def body_of(request: Request) -> tuple[Any, Response | None]:
    """The request's JSON body, or a 400 problem when it is not JSON."""
    raw = await request.body()
    if not raw:
        return None, None
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        return None, problem(400, f"the body is not valid JSON: {exc}")


class PlaygroundAPI:
    """The ASGI app behind ``/_gati``: access control, then the pages and the API."""

    def __init__(self, playground: Playground, token: str | None) -> None:
        self.playground = playground
        self.token = token
        endpoints = self._endpoints(playground)
        self.router = Router(
            [
                Route("/", self.index),
                Route("/static/{file:path}", self.static),
                *endpoints,
            ]
        )

    @staticmethod
    def _endpoints(playground: Playground) -> list[Route]:
        from gati.playground import endpoints

        return endpoints.routes(playground)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        refused = access.refusal(scope, self.token)
        if refused is not None and not self._token_login(scope):
            status, detail = refused
            await problem(status, detail)(scope, receive, send)
            return
        root = scope.get("root_path", "")
        if scope["path"] == root:  # /_gati → /_gati/
            await RedirectResponse(root + "/", 308)(scope, receive, send)
            return
        started = False

        async def sending(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = True
            await send(message)

        try:  # with "app" in the scope, an unknown path or method raises HTTPException
            await self.router({**scope, "app": self, SERVER_SEND: send}, receive, sending)
        except HTTPException as exc:  # 404 or 405, as problem+json like the rest of gati
            if not started:
                await self._refused(exc, scope)(scope, receive, send)
        except Exception:
            _log.exception("the Playground failed answering %s", scope["path"])
            if not started:
                await problem(500, "the Playground failed; see the server log")(
                    scope, receive, send
                )

    @staticmethod
    def _refused(exc: HTTPException, scope: dict[str, Any]) -> Response:
        """The problem response for a path the Playground does not have (404), or a method
        its path does not take (405, with ``Allow``)."""
        path = scope["path"]  # the full path: the mount's prefix included
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            detail = f"{scope['method']} is not allowed on {path}; allowed: {allowed}"
            return problem(405, detail, headers={"allow": allowed})
        if exc.status_code == 404:
            return problem(404, f"the Playground has no path {path}")
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)

    def _token_login(self, scope: dict[str, Any]) -> bool:
        """``GET /_gati/?token=…`` with the right token (``index`` sets the cookie)."""
        if self.token is None or scope["method"] != "GET":
            return False
        if scope["path"] != scope.get("root_path", "") + "/":
            return False
        token = Request(scope).query_params.get("token")
        return token is not None and access.matches(token, self.token)

    async def index(self, request: Request) -> Response:
        """The single-page UI; ``?token=`` stores the token in a cookie and redirects."""
        token = request.query_params.get("token")
        if self.token is not None and token is not None:
            here = request.scope.get("root_path", "") + "/"
            response = RedirectResponse(here, 303)
            response.set_cookie(access.COOKIE, token, httponly=True, samesite="strict", path=here)
            return response
        page = STATIC / "index.html"
        if not page.is_file():
            return Response(_PLACEHOLDER, media_type="text/html", headers=_NO_STORE)
        return FileResponse(page, headers=_NO_STORE)

    async def static(self, request: Request) -> Response:
        """A file of the UI (``static/``), never outside it."""
        name = request.path_params["file"]
        path = (STATIC / name).resolve()
        if STATIC not in path.parents or not path.is_file():
            return problem(404, f"no static file {name!r}")
        return FileResponse(path)


_PLACEHOLDER = (
    "<!doctype html><meta charset=utf-8><title>gati Playground</title>"
    "<p>The Playground API is served under <code>/_gati/api/</code>.</p>"
)
