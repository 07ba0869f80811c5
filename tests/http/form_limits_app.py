"""The app the form-limit end-to-end test serves under uvicorn: an app-wide ``FormLimits``
and a route that takes a smaller form than its body limit."""

from __future__ import annotations

from typing import Any

from gati import App, FormLimits

app = App(form_limits=FormLimits(max_size=64 * 1024, max_files=2))


@app.post("/upload")
async def upload(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    form = await req.form()
    sizes = {k: len(await v.read()) for k, v in form.multi_items() if hasattr(v, "read")}
    return {"files": sizes}


@app.post("/avatar", form_limits=FormLimits(max_size=4096, max_files=1, max_fields=2))
async def avatar(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    form = await req.form()
    return {"size": len(await form["file"].read())}


@app.post("/json")
async def plain(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"len": len(await req.body())}
