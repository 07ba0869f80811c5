"""Middleware around the app, routers and reverse routing, deferred work, and request ids
in every log record."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

import gati.logging
from gati import App, HTTPError, Middleware, Router
from gati.testing import TestClient


def test_starlette_middleware_wraps_everything_and_the_app_is_still_served() -> None:
    app = App(middleware=[Middleware(CORSMiddleware, allow_origins=["https://a.example"])])
    app.add_middleware(GZipMiddleware, minimum_size=10)

    @app.get("/big")
    async def big(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"text": "x" * 500}

    client = TestClient(app)
    r = client.get("/big", headers={"Origin": "https://a.example", "Accept-Encoding": "gzip"})
    assert r.headers["access-control-allow-origin"] == "https://a.example"
    assert r.headers["content-encoding"] == "gzip"
    assert r.json() == {"text": "x" * 500}
    r = client.options(
        "/big",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert r.status_code == 200  # the CORS preflight never reaches routing
    r = client.get("/missing", headers={"Origin": "https://a.example"})
    assert (r.status_code, r.headers["access-control-allow-origin"]) == (404, "https://a.example")
    with pytest.raises(RuntimeError, match="after the app has started"):
        app.add_middleware(GZipMiddleware)


def test_sessions_trusted_host_and_https_redirect() -> None:
    app = App(
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=["testserver"]),
            Middleware(SessionMiddleware, secret_key="k" * 32),
        ]
    )

    @app.get("/count")
    async def count(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        req.session["n"] = req.session.get("n", 0) + 1
        return {"n": req.session["n"]}

    client = TestClient(app)
    assert client.get("/count").json() == {"n": 1}
    assert client.get("/count").json() == {"n": 2}  # the cookie carried the session
    assert client.get("/count", headers={"Host": "evil.example"}).status_code == 400
    bare = App()

    @bare.get("/s")
    async def s(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return req.session

    assert TestClient(bare).get("/s").status_code == 500
    secure = App(middleware=[Middleware(HTTPSRedirectMiddleware)])
    r = TestClient(secure).get("/healthz", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, "https://testserver/healthz")


def test_middleware_keeps_the_lifespan() -> None:
    app = App(middleware=[Middleware(GZipMiddleware)])
    events: list[str] = []
    app.on_startup(lambda: events.append("up"))
    with TestClient(app) as client:
        assert client.get("/readyz").json()["lifespan"] == "running"
    assert events == ["up"]


def test_routers_compose_prefix_hooks_and_tags_and_reverse_route() -> None:
    order: list[str] = []

    def tag(name: str) -> Any:
        async def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            order.append(name)

        return hook

    books = Router(prefix="/books", hooks=[tag("books")], tags=["books"])

    @books.get("/{book_id:int}", hooks=[tag("route")], id="books.get")
    async def get_book(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["book_id"]}

    @books.get("/")
    async def list_books(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return []

    api = Router(prefix="/api", hooks=[tag("api")], tags=["v1"])
    api.include(books)
    app = App()
    app.include(api)
    client = TestClient(app)
    assert client.get("/api/books/7").json() == {"id": 7}
    assert order == ["api", "books", "route"]
    assert client.get("/api/books").json() == []
    routes = {pattern: route for _, pattern, route in app.routes.routes()}
    assert routes["/api/books/{book_id:int}"].tags == ("v1", "books")
    assert app.url_path_for("books.get", book_id=7) == "/api/books/7"
    with pytest.raises(LookupError, match="takes parameters"):
        app.url_path_for("books.get")
    with pytest.raises(LookupError, match="no route"):
        app.url_path_for("nope")
    with pytest.raises(ValueError, match="router prefix"):
        Router(prefix="books/")


@pytest.mark.parametrize("path", ["x", "{id}"])
def test_a_router_path_without_its_slash_is_refused_where_it_is_declared(path: str) -> None:
    # "/books" + "x" was served as /booksx
    books = Router(prefix="/books")
    with pytest.raises(ValueError, match="a route path starts with '/'"):
        books.get(path)
    with pytest.raises(ValueError, match="a route path starts with '/'"):
        books.websocket(path)


def test_a_router_path_may_be_empty_under_its_prefix() -> None:
    books = Router(prefix="/books")

    @books.get("")
    async def index(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return []

    app = App()
    app.include(books)
    assert TestClient(app).get("/books").json() == []


def test_router_options_are_checked_at_declaration_not_at_include() -> None:
    books = Router(prefix="/books")
    with pytest.raises(TypeError, match="unknown route option"):
        books.get("/", tagz=["x"])  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="tags= takes a list of names, not one string"):
        books.get("/", tags="books")  # type: ignore[arg-type]


def test_router_tags_and_hooks_of_the_wrong_shape_are_refused() -> None:
    async def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    # tags="books" tagged every route b, o, o, k, s
    with pytest.raises(TypeError, match="tags= takes a list of names, not one string"):
        Router(prefix="/books", tags="books")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"hooks= takes a list of hooks.*hooks=\[hook\]"):
        Router(prefix="/books", hooks=hook)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"router\.include\(\) takes a Router, not App"):
        Router().include(App())  # type: ignore[arg-type]


def test_deferred_work_runs_after_the_response_and_failures_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()
    done: list[str] = []

    def sync_job(name: str) -> None:
        done.append(name)

    async def failing() -> None:
        raise RuntimeError("mail server down")

    @app.post("/order")
    async def order(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        lctx.defer(sync_job, "email")
        lctx.defer(failing)
        lctx.defer(sync_job, name="audit")
        return {"ok": True}

    @app.get("/fails")
    async def fails(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        lctx.defer(sync_job, "after-error")
        raise HTTPError(409, "conflict")

    client = TestClient(app)
    with caplog.at_level(logging.ERROR, logger="gati.request"):
        r = client.post("/order", headers={"X-Request-ID": "req-42"})
    assert r.status_code == 200
    assert done == ["email", "audit"]
    assert "deferred" in caplog.text and "[req-42]" in caplog.text
    assert client.get("/fails").status_code == 409
    assert done[-1] == "after-error"


def test_configured_logging_carries_the_request_id() -> None:
    stream = io.StringIO()
    handler = gati.logging.configure("INFO", json=True, stream=stream, logger="bookstore")
    try:
        app = App()
        log = logging.getLogger("bookstore.books")

        @app.get("/x")
        async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
            log.warning("plain record")
            lctx.log("structured", n=1)
            return {}

        TestClient(app).get("/x", headers={"X-Request-ID": "rid-7"})
        log.info("outside")
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert lines[0]["message"] == "plain record" and lines[0]["request_id"] == "rid-7"
        assert "request_id" not in lines[-1]
        text = io.StringIO()
        gati.logging.configure(logging.INFO, stream=text, logger="bookstore")
        assert len(logging.getLogger("bookstore").handlers) == 1
        log.info("hello")
        assert text.getvalue().rstrip().endswith("bookstore.books: hello")
    finally:
        for h in list(logging.getLogger("bookstore").handlers):
            logging.getLogger("bookstore").removeHandler(h)
        del handler
