"""A real ASGI server in a subprocess on 127.0.0.1 with a free port, for end-to-end tests and
benchmarks over HTTP: started, waited for within a bound, and always stopped."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gati.testing._httpx import httpx

__all__ = ["LiveServer", "free_port", "live_server"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    """A running server: its process and its base URL."""

    proc: subprocess.Popen[bytes]
    url: str


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it outlives ``timeout``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def live_server(
    command: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    probe: str = "/",
    start_timeout: float = 30.0,
    stop_timeout: float = 15.0,
) -> Iterator[LiveServer]:
    """Run ``command`` (``{port}`` in it is replaced by a free port) until the block ends.

    The server counts as up once ``probe`` gets any HTTP answer; a server that exits or stays
    silent for ``start_timeout`` seconds is a ``RuntimeError``.
    """
    port = free_port()
    args = [part.format(port=port) for part in command]
    proc = subprocess.Popen(
        args, cwd=cwd, env=dict(env) if env is not None else None, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited with {proc.returncode} before answering")
            try:
                httpx.get(url + probe, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from {url} within {start_timeout} s") from None
                time.sleep(0.1)
        yield LiveServer(proc, url)
    finally:
        _stop(proc, stop_timeout)
