"""Tooling built on what an app declares: OpenAPI documents and the docs page, handler
manifests (static analysis, fingerprints, a store), typed clients and API diffs.

Nothing here runs on the request path except the document and docs endpoints, which
``gati.App`` loads on their first request.
"""

from gati.manifest.openapi import build_document, openapi_document
from gati.manifest.operations import Operation

__all__ = ["Operation", "build_document", "openapi_document"]
