"""Typed clients generated from an OpenAPI document: Python (httpx, sync and async, TypedDicts)
and TypeScript (types and a small fetch client). Both pin a Timescape version by sending
``Gati-Version`` on every request."""

from gati.manifest.codegen.python import generate_python
from gati.manifest.codegen.typescript import generate_typescript

__all__ = ["generate_python", "generate_typescript"]
