"""The process runtime: the module runs in a child Python process, spoken to over JSON-RPC 2.0
on its stdin/stdout (or a Unix socket), with ``gati.modules.serve`` on the other end.

A supervisor task owns the child: it starts it, checks the handshake (``gati.hello``: the
child's manifest id and version must match), waits for it to end, and restarts it with capped
exponential backoff. While the child is down, calls fail with ``ModuleUnavailable`` (retried
within their timeout when safe); other modules are untouched. A malformed frame fails the
calls in flight, and the child is killed and restarted. The child reaches the app only through
``gati.ctx.*`` requests, each checked against the manifest here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any, Final

import orjson

from gati.fabric.api import Message
from gati.hook import Backoff
from gati.modules.calls import MethodCaller, Runtime
from gati.modules.capabilities import LocalHost, check
from gati.modules.errors import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    ManifestError,
    ModuleError,
    ModuleTimeout,
    ModuleUnavailable,
)
from gati.modules.manifest import CALL_PREFIX, ModuleManifest
from gati.modules.rpc import MAX_FRAME, PeerClosed, ProtocolError, RemoteError, RpcPeer

__all__ = ["ENV_SOCKET", "ProcessRuntime"]

ENV_SOCKET: Final = "GATI_MODULE_SOCKET"
_log = logging.getLogger("gati.modules")
STABLE_AFTER: Final = 10.0  # a child that ran this long resets the restart backoff


class ProcessRuntime(Runtime):
    """Supervises ``command`` (e.g. ``[sys.executable, "-m", "myapp.users_module"]``)."""

    def __init__(
        self,
        manifest: ModuleManifest,
        command: Sequence[str],
        host: LocalHost,
        *,
        transport: str = "stdio",
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        start_timeout: float = 10.0,
        stop_timeout: float = 5.0,
        restart_backoff: Backoff | None = None,
    ) -> None:
        if not command:
            raise ManifestError(f"module {manifest.id!r}: an empty command")
        if transport not in ("stdio", "unix"):
            raise ValueError(f"transport must be 'stdio' or 'unix', not {transport!r}")
        self.manifest = manifest
        self.command = list(command)
        self.host = host
        self.transport = transport
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.backoff = restart_backoff or Backoff(base=0.1, factor=2.0, cap=5.0)
        self.restarts = 0
        self.pid: int | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._peer: RpcPeer | None = None
        self._ready = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False
        self._subscriptions: list[Any] = []

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the child and wait for its handshake (failure raises: start-up aborts)."""
        self._stopping = False
        served = await self._spawn()
        self._supervisor = asyncio.ensure_future(self._supervise(served))

    async def stop(self) -> None:
        """Close the child's input (it exits on EOF), then terminate, then kill."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        await self._end_child(graceful=True)

    def caller(self, name: str) -> MethodCaller:
        return MethodCaller(self.manifest.id, name, self.manifest.methods[name], self)

    def health(self) -> str:
        return "healthy" if self._ready.is_set() else "unhealthy"

    # -- calls -------------------------------------------------------------------------------
    async def invoke(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        mid = self.manifest.id
        peer = self._peer if self._ready.is_set() else None
        try:
            async with asyncio.timeout(timeout):
                if peer is None:
                    if self._supervisor is None:
                        raise ModuleUnavailable(
                            mid, method, "not started (the app's lifespan starts it)", sent=False
                        )
                    await self._ready.wait()
                    peer = self._peer
                    assert peer is not None
                return await peer.call(method, params)
        except TimeoutError:
            if peer is None:
                raise ModuleUnavailable(
                    mid, method, "the module did not come back", sent=False
                ) from None
            raise ModuleTimeout(mid, method, timeout) from None
        except PeerClosed as exc:
            raise ModuleUnavailable(mid, method, str(exc), sent=exc.sent) from None
        except RemoteError as exc:
            raise ModuleError(mid, method, exc.code, exc.message, exc.data) from None
        except orjson.JSONEncodeError as exc:
            raise ModuleError(
                mid, method, INVALID_PARAMS, f"the arguments are not JSON: {exc}"
            ) from None

    # -- the child ---------------------------------------------------------------------------
    async def _spawn(self) -> asyncio.Task[None]:
        """Start one child, handshake, and return the task reading its frames."""
        env = dict(self.env)
        server: asyncio.AbstractServer | None = None
        connected: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
        connected = asyncio.get_running_loop().create_future()
        if self.transport == "unix":
            path = os.path.join(tempfile.mkdtemp(prefix="gati-mod-"), "rpc.sock")
            env[ENV_SOCKET] = path

            def on_connect(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
                if not connected.done():
                    connected.set_result((r, w))

            server = await asyncio.start_unix_server(on_connect, path=path, limit=MAX_FRAME)
            proc = await asyncio.create_subprocess_exec(*self.command, env=env, cwd=self.cwd)
        else:
            env.pop(ENV_SOCKET, None)
            proc = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                cwd=self.cwd,
                limit=MAX_FRAME,
            )
            assert proc.stdout is not None and proc.stdin is not None
            connected.set_result((proc.stdout, proc.stdin))
        self._proc, self.pid = proc, proc.pid
        peer: RpcPeer | None = None
        try:
            async with asyncio.timeout(self.start_timeout):
                reader, writer = await connected
                rpc = RpcPeer(reader, writer, lambda m, p: self._answer(rpc, m, p))
                peer = rpc
                served = asyncio.ensure_future(rpc.serve())
                hello = await rpc.call("gati.hello", {"id": self.manifest.id})
        except BaseException as exc:
            if peer is not None:
                peer.close()
            await self._end_child(graceful=False)
            if isinstance(exc, RemoteError):  # impl.start raised in the child
                raise ModuleError(self.manifest.id, "start", exc.code, exc.message) from None
            if isinstance(exc, TimeoutError | PeerClosed):
                why = "no handshake in time" if isinstance(exc, TimeoutError) else "it exited"
                raise ModuleUnavailable(
                    self.manifest.id, "gati.hello", f"did not start: {why}", sent=True
                ) from None
            raise
        finally:
            if server is not None:
                server.close()
        if hello.get("id") != self.manifest.id or hello.get("version") != self.manifest.version:
            rpc.close()
            await self._end_child(graceful=False)
            raise ManifestError(
                f"process module answered as {hello.get('id')!r} {hello.get('version')!r}, "
                f"expected {self.manifest.id!r} {self.manifest.version!r}"
            )
        self._peer = rpc
        self._ready.set()
        return served

    async def _supervise(self, served: asyncio.Task[None]) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            try:
                await served
                reason = "exited"
            except ProtocolError as exc:
                reason = f"sent malformed JSON-RPC ({exc})"
            except Exception as exc:
                reason = f"failed: {exc}"
            self._ready.clear()
            await self._end_child(graceful=False)
            if self._stopping:
                return
            failures = 1 if loop.time() - began > STABLE_AFTER else failures + 1
            while True:
                delay = self.backoff.delay(failures)
                _log.error("module %s %s; restarting in %.2f s", self.manifest.id, reason, delay)
                await asyncio.sleep(delay)
                try:
                    served = await self._spawn()
                    break
                except Exception as exc:
                    reason = f"did not start: {exc}"
                    failures += 1
            self.restarts += 1

    async def _end_child(self, *, graceful: bool) -> None:
        subs, self._subscriptions = self._subscriptions, []
        for sub in subs:
            with contextlib.suppress(Exception):
                await sub.close(timeout=0)
        peer, self._peer = self._peer, None
        self._ready.clear()
        proc, self._proc = self._proc, None
        if peer is not None:
            peer.close()  # closes the child's stdin (or socket): it exits on EOF
        if proc is None or proc.returncode is not None:
            return
        if graceful:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), self.stop_timeout)
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), self.stop_timeout)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    # -- requests from the child (capabilities) ----------------------------------------------
    async def _answer(self, peer: RpcPeer, method: str, params: dict[str, Any]) -> Any:
        manifest, host = self.manifest, self.host
        if method == "gati.ctx.secret":
            check(manifest, "secrets:read")
            return (await host.secret(str(params["name"]))).get()
        if method == "gati.ctx.publish":
            check(manifest, "pubsub:publish")
            return await host.publish(params["topic"], params.get("payload"), params["options"])
        if method == "gati.ctx.subscribe":
            check(manifest, "pubsub:subscribe")
            return await self._subscribe(peer, params)
        if method == "gati.ctx.call":
            check(manifest, CALL_PREFIX + str(params["module"]))
            return await host.call(params["module"], params["method"], params["params"])
        if method == "gati.ctx.metric":
            check(manifest, "metrics:write")
            await host.metric(params["kind"], params["name"], params["value"], params["labels"])
            return None
        raise RemoteError(METHOD_NOT_FOUND, f"the app offers no {method!r}")

    async def _subscribe(self, peer: RpcPeer, params: dict[str, Any]) -> None:
        """Subscribe in the app on the child's behalf; deliveries become ``gati.deliver``
        calls, so a failure in the child is a failure of the delivery (and is retried)."""
        sid = params["subscription"]

        async def forward(message: Message) -> None:
            if peer.closed:
                raise ModuleUnavailable(self.manifest.id, "gati.deliver", "down", sent=False)
            await peer.call("gati.deliver", {"subscription": sid, "message": message.to_dict()})

        sub = await self.host.subscribe(params["topic"], forward, params["options"])
        self._subscriptions.append(sub)
