"""The app the event-loop end-to-end test serves (tests/gtype/test_hostile_e2e.py): one route
per hostile body of docs/gtype.md (unique_items, huge integers, patterns, deep JSON)."""

from __future__ import annotations

from typing import Any

from gati import App, gt

app = App()  # the default body limit (1 MiB)

SCHEMAS = {
    "unique": gt.array(gt.integer(), unique_items=True),
    "quantity": gt.object({"qty": gt.integer(max=1000)}),
    "numbers": gt.record(gt.integer()),
    "slug": gt.object({"s": gt.string(pattern=r"^([a-z0-9]+-?)+$")}),
    "word": gt.object({"s": gt.string(pattern=r"^(\w+)+$")}),
    "deep": gt.any(),
}


def _route(name: str, schema: Any) -> None:
    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": name}

    app.post(f"/{name}", request=schema, id=f"hostile.{name}")(handler)


for _name, _schema in SCHEMAS.items():
    _route(_name, _schema)
