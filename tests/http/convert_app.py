"""The app ``test_http_conversion`` serves with uvicorn: response filtering and ``req.data``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, TypedDict

from gati import App, gt


@dataclasses.dataclass
class NewBook:
    title: str
    isbn: uuid.UUID
    published: dt.date
    price: Decimal
    tags: list[str] = dataclasses.field(default_factory=list)


class Search(TypedDict):
    since: dt.date


Public = gt.object(
    {"id": gt.integer(), "name": gt.string(), "friends": gt.array(gt.object({"id": gt.integer()}))}
)
Noted = gt.object({"id": gt.integer()}, extra=gt.string())
Strict = gt.object({"id": gt.integer()}, extra="forbid")
ItemParams = gt.object({"item_id": gt.string(format="uuid", convert="uuid")})

app = App()
SECRET = {"id": 1, "name": "x", "password": "secret", "friends": [{"id": 2, "token": "t"}]}


@app.get("/hello")
async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
    return "hi"


@app.get("/public", response=Public)
async def public(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return SECRET


@app.get("/noted", response=Noted)
async def noted(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"id": 1, "note": "kept", "bad": 2 if req.query.get("bad") else "kept"}


@app.get("/strict", response=Strict)
async def strict(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"id": 1, "password": "secret"}


@app.post("/books", request=gt.from_type(NewBook))
async def create_book(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    book: NewBook = req.data
    res.status(201)
    return {
        "type": type(book).__name__,
        "isbn": type(book.isbn).__name__,
        "published": book.published.isoformat(),
        "price": str(book.price * 2),
        "tags": book.tags,
        "validated": req.validated,
    }


@app.get("/search", query=gt.from_type(Search))
async def search(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"since": type(req.query_data["since"]).__name__, "raw": req.query_validated["since"]}


@app.get("/items/{item_id}", params=ItemParams)
async def item(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"item_id": type(req.params_data["item_id"]).__name__}
