"""Testing helpers: ``TestClient`` / ``AsyncTestClient`` (httpx), ``invoke`` (one handler,
fake contexts, its lifecycle events) and ``live_server`` (a real server in a subprocess)."""

from gati.testing.client import AsyncTestClient, TestClient
from gati.testing.invoke import Invocation, invoke
from gati.testing.server import LiveServer, free_port, live_server

__all__ = [
    "AsyncTestClient",
    "Invocation",
    "LiveServer",
    "TestClient",
    "free_port",
    "invoke",
    "live_server",
]
