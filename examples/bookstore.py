"""A small bookstore API: CRUD with validation, a global audit hook, writes guarded by API keys
and an ``editor`` role, a rate limit on adding books, and error paths (401, 403, 404, 400,
415, 429); plus versioned ``/customers`` routes (examples/customers.py: Stripe's ``name``
split, served to old clients by a transformer).

    python -m examples.serve      # then see docs/http.md for a curl session
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from examples.customers import add_customers
from gati import APIKeyAuth, App, HTTPError, Principal, gt

API_KEY = "demo-key"
READER_KEY = "reader-key"

Book = gt.object(
    {
        "title": gt.string(min_length=1, max_length=200),
        "author": gt.string(min_length=1, max_length=100),
        "year": gt.integer(min=1450, max=2100),
        "isbn": gt.optional(gt.string(pattern=r"^[0-9]{9}[0-9X]$|^97[89][0-9]{10}$")),
        "tags": gt.optional(gt.array(gt.string(max_length=20), max_items=10, unique_items=True)),
    },
    extra="forbid",
    name="Book",
    description="A book as clients submit it.",
)
StoredBook = gt.object(
    {
        "id": gt.integer(min=1),
        "title": gt.string(),
        "author": gt.string(),
        "year": gt.integer(),
        "isbn": gt.optional(gt.string()),
        "tags": gt.optional(gt.array(gt.string())),
    },
    extra="forbid",
    name="StoredBook",
    description="A book in the catalogue, with its id.",
)
BookList = gt.object({"items": gt.array(StoredBook), "count": gt.integer(min=0)}, name="BookList")
ListQuery = gt.object(
    {
        "author": gt.optional(gt.string(min_length=1, description="Only books by this author.")),
        "limit": gt.optional(
            gt.integer(min=1, max=100, default=20, description="At most this many books.")
        ),
    },
    extra="forbid",
)

Stats = gt.object({"requests": gt.integer(min=0)}, name="Stats")

audit_log = logging.getLogger("bookstore.audit")


class Books:
    """The in-memory catalogue, registered as ``gctx.modules.books``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, dict[str, Any]] = {}
        self._next = 1

    def add(self, book: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stored = {"id": self._next, **book}
            self._items[self._next] = stored
            self._next += 1
        return stored

    def get(self, book_id: int) -> dict[str, Any]:
        try:
            return self._items[book_id]
        except KeyError:
            raise HTTPError(404, f"no book with id {book_id}") from None

    def replace(self, book_id: int, book: dict[str, Any]) -> dict[str, Any]:
        self.get(book_id)
        stored = {"id": book_id, **book}
        self._items[book_id] = stored
        return stored

    def remove(self, book_id: int) -> None:
        self.get(book_id)
        del self._items[book_id]

    def search(self, author: str | None, limit: int) -> list[dict[str, Any]]:
        found = [b for b in self._items.values() if author is None or b["author"] == author]
        return found[:limit]


def create_app(*, playground: bool = False) -> App:
    """A fresh bookstore app (each test gets its own catalogue); ``playground`` turns the
    Playground on (``examples.playground_demo``)."""
    app = App(
        playground=playground,
        modules={"books": Books()},
        openapi_info={"title": "Bookstore", "version": "1.0.0"},
    )
    writers = APIKeyAuth({API_KEY: Principal("demo", ["editor"]), READER_KEY: "reader"})

    @app.hook("before")
    async def audit(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Global audit: one line per request, written at cleanup, which runs on success and
        on failure alike."""

        def record() -> None:
            gctx.state.set("requests", (gctx.state.get("requests") or 0) + 1)
            meta = lctx.meta
            audit_log.info("%s %s phase=%s [%s]", req.method, req.path, meta.phase, meta.request_id)

        lctx.on_cleanup(record)

    @app.get("/books", query=ListQuery, response=BookList, tags=["books"])
    async def list_books(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        """List books.

        Optionally only one author's, at most ``limit`` of them.
        """
        q = req.query_validated
        items = gctx.modules.books.search(q.get("author"), q.get("limit", 20))
        return {"items": items, "count": len(items)}

    @app.post(
        "/books",
        request=Book,
        response=StoredBook,
        auth=writers,
        roles=["editor"],
        rate_limit="5/minute",
        tags=["books"],
        responses={201: "The stored book; `Location` names it."},
    )
    async def create_book(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Add a book to the catalogue."""
        stored = gctx.modules.books.add(req.validated)
        res.status(201).header("Location", f"/books/{stored['id']}").json(stored)

    @app.get("/books/{book_id:int}", response=StoredBook, tags=["books"])
    async def get_book(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        """Fetch one book by id."""
        return gctx.modules.books.get(req.path_params["book_id"])

    @app.put(
        "/books/{book_id:int}",
        request=Book,
        response=StoredBook,
        auth=writers,
        roles=["editor"],
        tags=["books"],
    )
    async def replace_book(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        """Replace a book."""
        return gctx.modules.books.replace(req.path_params["book_id"], req.validated)

    @app.delete(
        "/books/{book_id:int}",
        auth=writers,
        roles=["editor"],
        tags=["books"],
        responses={204: "Deleted."},
    )
    def delete_book(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        """Delete a book.

        A sync handler: gati runs it in a worker thread.
        """
        gctx.modules.books.remove(req.path_params["book_id"])
        res.status(204)

    @app.get("/stats", response=Stats, tags=["meta"])
    async def stats(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        """How many requests the app has served."""
        return {"requests": gctx.state.get("requests") or 0}

    add_customers(app)
    return app


app = create_app()
