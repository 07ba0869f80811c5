"""A test app module of this folder served by uvicorn in a subprocess (``gati.testing``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gati.testing import LiveServer, live_server

HERE = Path(__file__).parent


@contextmanager
def serve(target: str, probe: str) -> Iterator[LiveServer]:
    """Serve ``target`` (``"module:app"`` in tests/http) until the block ends; the server is
    up once ``probe`` gets any HTTP answer."""
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
               "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=HERE, env=env, probe=probe) as live:
        yield live
