"""Testing helpers: ``TestClient`` / ``AsyncTestClient`` (httpx) and ``invoke`` (one handler,
fake contexts, its lifecycle events)."""

from gati.testing.client import AsyncTestClient, TestClient
from gati.testing.invoke import Invocation, invoke

__all__ = ["AsyncTestClient", "Invocation", "TestClient", "invoke"]
