"""A small versioned app with a discriminated union, for the generated clients' tests."""

from __future__ import annotations

from typing import Any

from gati import App, gt

Cat = gt.object({"kind": gt.literal("cat"), "meows": gt.boolean()}, name="Cat")
Dog = gt.object({"kind": gt.literal("dog"), "barks": gt.integer(min=0)}, name="Dog")
Pet = gt.union(Cat, Dog, discriminator="kind", name="Pet")
Echo = gt.object(
    {"version": gt.string(nullable=True), "pet": Pet, "tag": gt.optional(gt.string())},
    name="Echo",
)
Query = gt.object({"tag": gt.optional(gt.string()), "n": gt.optional(gt.integer())})

app = App(openapi_info={"title": "Pets"})


@app.post("/pets/{name}", request=Pet, response=Echo, query=Query, version="2025-01-01")
async def adopt_v1(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Adopt a pet (first version)."""
    return {"version": req.headers.get("gati-version"), "pet": req.validated}


@app.get("/pets", response=gt.array(Pet), version="2025-06-01")
async def list_pets(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """List pets."""
    return [{"kind": "cat", "meows": True}, {"kind": "dog", "barks": 3}]


Session = gt.object({"session": gt.string(), "theme": gt.optional(gt.string())})


@app.get("/whoami", cookies=Session, response=Session)
async def whoami(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Echo the cookies the client sent."""
    return req.cookies_validated
