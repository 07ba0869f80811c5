"""A real ``redis-server`` on a free loopback port for the tests that claim Redis: started by a
fixture, stoppable and restartable mid-test (to show fallbacks), and always stopped at the end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

from gati.testing.server import free_port

__all__ = ["RedisServer", "redis_server"]


class RedisServer:
    """One ``redis-server`` process with no persistence, bound to 127.0.0.1."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: `make test` installs it (Debian)")
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.TemporaryDirectory(prefix="gati-redis-")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING."""
        if self.running:
            return
        self._proc = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._dir.name,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._ping():
            if self._proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); the port stays reserved for a restart."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def flush(self) -> None:
        """Empty every database, so each test starts from nothing."""
        self._command(b"*1\r\n$8\r\nFLUSHALL\r\n")

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def _ping(self) -> bool:
        try:
            return self._command(b"*1\r\n$4\r\nPING\r\n").startswith(b"+PONG")
        except OSError:
            return False

    def _command(self, payload: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(payload)
            return conn.recv(64)


@pytest.fixture(scope="session")
def redis_session() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server(redis_session: RedisServer) -> RedisServer:
    """The session's server, running and empty."""
    redis_session.start()
    redis_session.flush()
    return redis_session
