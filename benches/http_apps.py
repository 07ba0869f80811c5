"""The same three endpoints in every framework the HTTP benchmarks compare.

GET /hello → {"hello": "world"}; POST /users with a CreateUser body (validated where the
framework validates: FastAPI with pydantic, Litestar with msgspec, gati with GType) → 201
and the user; GET /users/{id} (an int) → {"id": id}. gati runs with its full lifecycle:
request ids, a Local Context, one global before hook and validation.
"""

import os
import re
from typing import Annotated, Any

import orjson

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_RE = re.compile(EMAIL)
USER_BODY = b'{"email":"ann@example.com","age":30,"name":"Ann","tags":["a","b"],"nick":"an"}'
IMPLS = ("raw-asgi", "starlette", "blacksheep", "falcon", "fastapi", "litestar", "gati")
# The in-process runs: gati on each backend, and the peers that build state at start-up.
INPROCESS_IMPLS = (*IMPLS[:-1], "gati-native", "gati-pure")
NEEDS_STARTUP = ("starlette", "blacksheep", "fastapi", "litestar")


def hand_checked(data: Any) -> bool:
    """CreateUser's rules written out, for the frameworks without a validation library."""
    if not isinstance(data, dict) or not data.keys() <= {"email", "age", "name", "tags", "nick"}:
        return False
    email, age, name, tags = (data.get(k) for k in ("email", "age", "name", "tags"))
    nick = data.get("nick")
    return (
        isinstance(email, str)
        and EMAIL_RE.match(email) is not None
        and type(age) is int
        and 18 <= age <= 100
        and isinstance(name, str)
        and 1 <= len(name) <= 100
        and isinstance(tags, list)
        and len(tags) <= 10
        and all(isinstance(t, str) and len(t) <= 20 for t in tags)
        and (nick is None or isinstance(nick, str))
    )


def raw_asgi() -> Any:
    """A hand-written ASGI app: the floor (no routing library; the body checked by hand)."""
    hello = orjson.dumps({"hello": "world"})
    invalid = orjson.dumps({"error": "invalid"})
    json_headers = [(b"content-type", b"application/json")]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/hello" and method == "GET":
            status, body = 200, hello
        elif path == "/users" and method == "POST":
            chunks = []
            while True:
                message = await receive()
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            data = orjson.loads(b"".join(chunks))
            status, body = (201, orjson.dumps(data)) if hand_checked(data) else (422, invalid)
        elif path.startswith("/users/") and path[7:].isdigit() and method == "GET":
            status, body = 200, orjson.dumps({"id": int(path[7:])})
        else:
            status, body = 404, b""
        headers = [*json_headers, (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def starlette() -> Any:
    """Starlette (no validation library of its own: the body checked by hand)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request: Any) -> JSONResponse:
        return JSONResponse({"hello": "world"})

    async def create(request: Any) -> JSONResponse:
        data = await request.json()
        if hand_checked(data):
            return JSONResponse(data, status_code=201)
        return JSONResponse({"error": "invalid"}, status_code=422)

    async def user(request: Any) -> JSONResponse:
        return JSONResponse({"id": request.path_params["id"]})

    return Starlette(
        routes=[
            Route("/hello", hello),
            Route("/users", create, methods=["POST"]),
            Route("/users/{id:int}", user),
        ]
    )


def blacksheep() -> Any:
    """BlackSheep (Cython internals; the body checked by hand)."""
    from blacksheep import Application, Request, json

    app = Application()

    @app.router.get("/hello")
    async def hello() -> Any:
        return json({"hello": "world"})

    @app.router.post("/users")
    async def create(request: Request) -> Any:
        data = await request.json()
        return json(data, status=201) if hand_checked(data) else json({"error": "invalid"}, 422)

    @app.router.get("/users/{int:id}")
    async def user(id: int) -> Any:
        return json({"id": id})

    return app


def falcon() -> Any:
    """Falcon's ASGI app (the body checked by hand)."""
    import falcon.asgi

    class Hello:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"hello": "world"}

    class Users:
        async def on_post(self, req: Any, resp: Any) -> None:
            data = await req.get_media()
            if hand_checked(data):
                resp.status, resp.media = 201, data
            else:
                resp.status, resp.media = 422, {"error": "invalid"}

    class User:
        async def on_get(self, req: Any, resp: Any, id: int) -> None:
            resp.media = {"id": id}

    app = falcon.asgi.App()
    app.add_route("/hello", Hello())
    app.add_route("/users", Users())
    app.add_route("/users/{id:int}", User())
    return app


def fastapi() -> Any:
    """FastAPI with a pydantic model."""
    from fastapi import FastAPI
    from pydantic import BaseModel, Field

    class CreateUser(BaseModel, extra="forbid"):
        email: Annotated[str, Field(pattern=EMAIL)]
        age: Annotated[int, Field(ge=18, le=100)]
        name: Annotated[str, Field(min_length=1, max_length=100)]
        tags: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)]
        nick: str | None = None

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.post("/users", status_code=201)
    async def create(user: CreateUser) -> CreateUser:
        return user

    @app.get("/users/{id}")
    async def user(id: int) -> dict[str, int]:
        return {"id": id}

    return app


def litestar() -> Any:
    """Litestar with a msgspec Struct."""
    import msgspec
    from litestar import Litestar, get, post

    class CreateUser(msgspec.Struct, forbid_unknown_fields=True):
        email: Annotated[str, msgspec.Meta(pattern=EMAIL)]
        age: Annotated[int, msgspec.Meta(ge=18, le=100)]
        name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
        tags: Annotated[
            list[Annotated[str, msgspec.Meta(max_length=20)]], msgspec.Meta(max_length=10)
        ]
        nick: str | None = None

    @get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @post("/users")
    async def create(data: CreateUser) -> CreateUser:
        return data

    @get("/users/{id:int}")
    async def user(id: int) -> dict[str, int]:
        return {"id": id}

    return Litestar(route_handlers=[hello, create, user], debug=False)


def gati() -> Any:
    """gati on the active backend (GATI_BACKEND), full lifecycle on."""
    from gati import App, gt

    CreateUser = gt.object(
        {
            "email": gt.string(format="email"),
            "age": gt.integer(min=18, max=100),
            "name": gt.string(min_length=1, max_length=100),
            "tags": gt.array(gt.string(max_length=20), max_items=10),
            "nick": gt.optional(gt.string()),
        },
        extra="forbid",
    )
    app = App()

    @app.hook("before")
    async def audit(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        return None

    @app.get("/hello")
    async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"hello": "world"}

    @app.post("/users", request=CreateUser)
    async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(201).json(req.validated)

    @app.get("/users/{id:int}")
    async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": req.path_params["id"]}

    return app


def build(impl: str) -> Any:
    """The ASGI app for ``impl`` (one of ``IMPLS``)."""
    return {
        "raw-asgi": raw_asgi,
        "starlette": starlette,
        "blacksheep": blacksheep,
        "falcon": falcon,
        "fastapi": fastapi,
        "litestar": litestar,
        "gati": gati,
    }[impl]()


# For servers: ``uvicorn benches.http_apps:app`` serves the impl named in GATI_BENCH_IMPL.
app = build(os.environ.get("GATI_BENCH_IMPL", "gati")) if "GATI_BENCH_IMPL" in os.environ else None
