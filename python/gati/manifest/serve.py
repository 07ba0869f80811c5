"""Serving the OpenAPI document (``/openapi.json``) and the docs page (``/docs``).

The docs page is Swagger UI from the ``swagger-ui-bundle-v2`` package, served from the
installed files: no CDN, so it works offline. Its top bar selects among the app's Timescape
versions, one document each (``/openapi.json?version=…``). Documents are built once per
resolved version and kept encoded until a route is added.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from gati.http.errors import HTTPError
from gati.manifest.openapi import openapi_document
from gati.manifest.operations import app_versions, table_routes

__all__ = ["resolve_document_version", "resolve_version", "serve_docs", "serve_openapi"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
_MAX_CACHED = 64
_CACHE_ASSETS = "public, max-age=86400"


def resolve_document_version(app: Any, asked: str | None) -> str | None:
    """The version whose document answers a request for ``asked`` (``None``: the newest)."""
    return resolve_version(app_versions(app), asked)


def resolve_version(versions: Sequence[str], asked: str | None) -> str | None:
    """The version of ``versions`` (oldest first) whose document answers ``asked``.

    ``latest`` and no preference mean the newest (``None``); a date means the latest declared
    version at or before it (a date before all of them stays as it is: each path's first
    implementation); anything else is a 400 listing the versions.
    """
    if asked is None or asked == "latest":
        return None
    if asked in versions:
        return asked
    if _DATE.match(asked):
        older = [v for v in versions if v <= asked]
        return older[-1] if older else asked
    known = ", ".join(["latest", *versions])
    raise HTTPError(400, f"unknown version {asked!r}; this API has: {known}")


def _document_bytes(app: Any, version: str | None) -> bytes:
    """The encoded document, cached per version on the app while its routes stay the same."""
    routes = len(list(table_routes(app)))
    cache: dict[str | None, bytes] = app.__dict__.setdefault("_openapi_cache", {})
    if app.__dict__.get("_openapi_cache_routes") != routes:
        cache.clear()
        app.__dict__["_openapi_cache_routes"] = routes
    encoded = cache.get(version)
    if encoded is None:
        if len(cache) >= _MAX_CACHED:  # dates before the first version are client input
            cache.clear()
        encoded = orjson.dumps(openapi_document(app, version))
        cache[version] = encoded
    return encoded


def serve_openapi(app: Any, req: Any, res: Any) -> None:
    """``GET /openapi.json[?version=V]`` (or ``Gati-Version: V``)."""
    version = resolve_document_version(app, req.info.version_requested)
    res.send(_document_bytes(app, version), b"application/json")


@functools.cache
def _asset(name: str) -> bytes:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return Path(str(swagger_ui_path), name).read_bytes()


def _page(app: Any, base: str) -> bytes:
    docs = base + (app.docs_path or "")
    spec = base + (app.openapi_path or "")
    versions = ["latest", *reversed(app_versions(app))]
    urls = [{"url": f"{spec}?version={v}", "name": v} for v in versions]
    config = orjson.dumps(
        {"urls": urls, "urls.primaryName": "latest", "dom_id": "#swagger-ui", "deepLinking": True}
    ).decode()
    config = config.replace("</", "<\\/")  # no "</script>" inside the script
    title = html.escape(str(app.openapi_info.get("title", "API docs")))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{docs}/swagger-ui.css">
<link rel="icon" type="image/png" href="{docs}/favicon-32x32.png" sizes="32x32">
<style>body {{ margin: 0; background: #fafafa; }}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{docs}/swagger-ui-bundle.js"></script>
<script src="{docs}/swagger-ui-standalone-preset.js"></script>
<script>
const config = {config};
window.ui = SwaggerUIBundle(Object.assign(config, {{
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: "StandaloneLayout"
}}));
</script>
</body>
</html>
"""
    return page.encode("utf-8")


def serve_docs(app: Any, req: Any, res: Any) -> None:
    """``GET /docs`` (the page) and ``GET /docs/<asset>`` (Swagger UI's files)."""
    asset = req.path_params.get("asset")
    if asset is None:
        res.send(_page(app, req.scope.get("root_path", "")), b"text/html; charset=utf-8")
        return
    media = _ASSETS.get(asset)
    if media is None:
        raise HTTPError(404, f"no docs asset named {asset!r}")
    res.header("Cache-Control", _CACHE_ASSETS).send(_asset(asset), media.encode())
