"""Testing helpers: ``TestClient`` / ``AsyncTestClient`` (httpx), ``invoke`` (one handler,
fake contexts, its lifecycle events), ``live_server`` (a real server in a subprocess) and
``assert_compatible`` (handler schema vs module method input)."""

from gati.testing.client import AsyncTestClient, TestClient
from gati.testing.contracts import assert_compatible
from gati.testing.invoke import Invocation, invoke
from gati.testing.server import LiveServer, free_port, live_server

__all__ = [
    "AsyncTestClient",
    "Invocation",
    "LiveServer",
    "TestClient",
    "assert_compatible",
    "free_port",
    "invoke",
    "live_server",
]
