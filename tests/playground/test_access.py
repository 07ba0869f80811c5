"""Who may use the Playground: loopback only without a token; with one, every call needs it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest

from gati import App
from gati.testing import TestClient
from tests.playground.apps import make_app

TOKEN = "tok-123"
PATHS = [
    ("GET", "/_gati/"),
    ("GET", "/_gati/static/app.js"),
    ("GET", "/_gati/api/requests"),
    ("GET", "/_gati/api/requests/1"),
    ("POST", "/_gati/api/requests/1/replay"),
    ("GET", "/_gati/api/events"),
    ("GET", "/_gati/api/diff?left=1&right=1"),
    ("GET", "/_gati/api/gates"),
    ("POST", "/_gati/api/gates"),
    ("DELETE", "/_gati/api/gates/g1"),
    ("PUT", "/_gati/api/paused/p1/state"),
    ("POST", "/_gati/api/paused/p1/resume"),
    ("POST", "/_gati/api/paused/p1/abort"),
    ("GET", "/_gati/api/versions"),
    ("GET", "/_gati/api/openapi"),
]


def call(app: App, method: str, path: str, client: tuple[str, int], **kw: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.request(method, path, **kw)

    return asyncio.run(go())


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_a_non_loopback_client_is_refused_with_403_without_a_token(method: str, path: str) -> None:
    r = call(make_app(), method, path, ("10.1.2.3", 4000))
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), PATHS)
@pytest.mark.parametrize("client", [("127.0.0.1", 1), ("10.1.2.3", 1)])
@pytest.mark.parametrize(
    "presented",
    [{}, {"x-gati-playground-token": "wrong"}, {"cookie": "gati_playground=wrong"}],
    ids=["missing", "wrong-header", "wrong-cookie"],
)
def test_with_a_token_every_call_without_the_right_one_gets_401(
    method: str, path: str, client: tuple[str, int], presented: dict[str, str]
) -> None:
    r = call(make_app(playground_token=TOKEN), method, path, client, headers=presented)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_with_a_token_the_header_or_the_cookie_opens_it_to_any_client() -> None:
    app = make_app(playground_token=TOKEN)
    remote = ("10.1.2.3", 1)
    by_header = call(
        app, "GET", "/_gati/api/requests", remote, headers={"x-gati-playground-token": TOKEN}
    )
    by_cookie = call(
        app, "GET", "/_gati/api/requests", remote, headers={"cookie": f"gati_playground={TOKEN}"}
    )
    assert by_header.status_code == by_cookie.status_code == 200


def test_the_token_in_the_query_sets_the_cookie_and_redirects() -> None:
    app = make_app(playground_token=TOKEN)
    r = call(app, "GET", f"/_gati/?token={TOKEN}", ("10.1.2.3", 1))
    assert r.status_code == 303
    assert r.headers["location"] == "/_gati/"
    cookie = r.headers["set-cookie"]
    assert f"gati_playground={TOKEN}" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/_gati/" in cookie
    assert call(app, "GET", "/_gati/?token=nope", ("10.1.2.3", 1)).status_code == 401


def test_loopback_clients_are_served_without_a_token() -> None:
    client = TestClient(make_app())
    assert client.get("/_gati/api/requests").status_code == 200
    assert client.get("/_gati/").status_code == 200


def test_playground_paths_are_never_recorded_nor_see_user_hooks() -> None:
    app = make_app()
    client = TestClient(app)
    client.get("/_gati/api/requests")
    client.get("/_gati/api/versions")
    assert client.get("/_gati/api/requests").json() == {"requests": []}


def test_a_token_without_the_playground_is_refused() -> None:
    with pytest.raises(ValueError, match="playground=True"):
        App(playground_token="x")
    with pytest.raises(ValueError, match="non-empty"):
        App(playground=True, playground_token="")
    with pytest.raises(ValueError):
        App(playground=True, playground_buffer=(0, 10))


PROBE = textwrap.dedent(
    """
    import sys
    import gati
    from gati.testing import TestClient

    app = gati.App()

    @app.get("/x")
    async def x(req, res, lctx, gctx):
        res.text("ok")

    client = TestClient(app)
    assert client.get("/x").text == "ok"
    assert client.get("/_gati/api/requests").status_code == 404
    print(sorted(m for m in sys.modules if m.startswith("gati.playground")))
    print(app.steps, app._mounts, app.emitter.listeners)
    """
)


def test_off_by_default_and_then_nothing_is_loaded_or_run() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "() [] ()"]
