"""Typing checked by ``mypy --strict`` (tests/check_samples.py): the body type flows from
``Request[...]`` to ``req.data``, decorators keep the function's type, and wrong options are
type errors. Each ``type: ignore`` is needed (strict mode reports an unused one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gati import App, GlobalContext, LocalContext, Request, Response, Router


@dataclass
class CreateBook:
    title: str
    year: int


app = App()
books = Router(prefix="/books")


@app.post("/books")
async def create(
    req: Request[CreateBook], res: Response, lctx: LocalContext, gctx: GlobalContext
) -> dict[str, Any]:
    book: CreateBook = req.data
    return {"title": book.title.upper(), "year": book.year + 0}


@books.get("/{id:int}", timeout=5.0, tags=["books"])
async def get_book(req: Request, res: Response, lctx: LocalContext, gctx: GlobalContext) -> None:
    res.json({"id": req.path_params["id"]})


@app.hook
async def bare(req: Request, res: Response, lctx: LocalContext, gctx: GlobalContext) -> None:
    pass


@app.on_startup(priority=5)
async def warm() -> None:
    pass


async def still_callable() -> None:
    await warm()  # the decorators return the function itself, typed as it was
    await bare(Request.__new__(Request), Response(), LocalContext("r"), app.gctx)


app.hook("befor")  # type: ignore[call-overload]
app.get("/x", request=123)  # type: ignore[arg-type]
app.get("/x", timeout="soon")  # type: ignore[arg-type]
app.route("GET", "/x", timeout="soon")  # type: ignore[arg-type]
