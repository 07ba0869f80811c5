"""``serve(impl, manifest)``: the module side of the process runtime.

Run it as the child's main program. It speaks JSON-RPC 2.0 on stdin/stdout (or on the Unix
socket named by ``GATI_MODULE_SOCKET``), validates every call's arguments and result against
the manifest, and gives ``impl.start(ctx)`` a context whose capabilities are requests back to
the app (which checks them again). ``print`` goes to stderr: stdout carries the protocol.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from gati.errors import ValidationError
from gati.fabric.api import Message
from gati.modules.capabilities import ModuleContext, maybe_await
from gati.modules.errors import INVALID_PARAMS, METHOD_NOT_FOUND, OUTPUT_INVALID
from gati.modules.manifest import Method, ModuleManifest
from gati.modules.rpc import INCOMING_HEADERS, MAX_FRAME, RemoteError, RpcPeer
from gati.modules.runtimes.process import ENV_SOCKET
from gati.secrets import Secret

__all__ = ["serve"]


class RemoteHost:
    """A module context's host inside the child: every capability is a request to the app."""

    def __init__(self) -> None:
        self.peer: RpcPeer | None = None
        self.handlers: dict[str, Callable[[Message], Any]] = {}

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        assert self.peer is not None
        return await self.peer.call(method, params)

    async def secret(self, name: str) -> Secret:
        return Secret(await self._call("gati.ctx.secret", {"name": name}))

    async def publish(self, topic: str, payload: Any, options: dict[str, Any]) -> Any:
        return await self._call(
            "gati.ctx.publish", {"topic": topic, "payload": payload, "options": options}
        )

    async def subscribe(self, topic: str, fn: Callable[[Any], Any], options: dict[str, Any]) -> Any:
        sid = uuid.uuid4().hex
        self.handlers[sid] = fn
        await self._call(
            "gati.ctx.subscribe", {"topic": topic, "options": options, "subscription": sid}
        )
        return sid

    async def call(self, module: str, method: str, params: dict[str, Any]) -> Any:
        return await self._call(
            "gati.ctx.call", {"module": module, "method": method, "params": params}
        )

    async def metric(self, kind: str, name: str, value: float, labels: dict[str, str]) -> None:
        await self._call(
            "gati.ctx.metric", {"kind": kind, "name": name, "value": value, "labels": labels}
        )


async def _connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    path = os.environ.get(ENV_SOCKET)
    if path:
        return await asyncio.open_unix_connection(path, limit=MAX_FRAME)
    loop = asyncio.get_running_loop()
    # stdout now belongs to the protocol: keep its descriptor, send fd 1 (print) to stderr.
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    reader = asyncio.StreamReader(limit=MAX_FRAME)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, out)
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer


async def _serve(impl: Any, manifest: ModuleManifest, tracer_provider: Any) -> None:
    missing = manifest.missing(impl)
    if missing:
        raise SystemExit(f"module {manifest.id!r}: impl lacks methods {missing}")
    host = RemoteHost()
    ctx = ModuleContext(manifest, host)
    tracer = None
    if tracer_provider is not None:  # opentelemetry is loaded only when asked for
        from opentelemetry import trace

        from gati.telemetry.modules import server_span

        tracer = trace.get_tracer("gati", tracer_provider=tracer_provider)

    async def run(spec: Method, method: str, params: dict[str, Any]) -> Any:
        try:
            kwargs = spec.validate_input(params)
        except ValidationError as exc:
            raise RemoteError(INVALID_PARAMS, str(exc), exc.errors()) from None
        result = await maybe_await(getattr(impl, method)(**kwargs))
        try:
            return spec.validate_output(result)
        except ValidationError as exc:
            raise RemoteError(OUTPUT_INVALID, str(exc), exc.errors()) from None

    async def answer(method: str, params: dict[str, Any]) -> Any:
        spec = manifest.methods.get(method)
        if spec is not None:
            if tracer is None:
                return await run(spec, method, params)
            with server_span(tracer, manifest.id, method, INCOMING_HEADERS.get()):
                return await run(spec, method, params)
        if method == "gati.deliver":
            message = Message.from_dict(params["message"])
            return await maybe_await(host.handlers[params["subscription"]](message))
        if method == "gati.hello":
            start = getattr(impl, "start", None)
            if start is not None:
                await maybe_await(start(ctx))
            return {"id": manifest.id, "version": manifest.version}
        raise RemoteError(METHOD_NOT_FOUND, f"module {manifest.id!r} has no method {method!r}")

    reader, writer = await _connect()
    host.peer = peer = RpcPeer(reader, writer, answer)
    try:
        await peer.serve()
    finally:
        stop = getattr(impl, "stop", None)
        if stop is not None:
            await maybe_await(stop())
        await ctx.aclose()


def serve(impl: Any, manifest: ModuleManifest, *, tracer_provider: Any = None) -> None:
    """Serve ``impl`` as the process module ``manifest`` until gati closes the channel.

    With an OpenTelemetry ``tracer_provider`` (the ``otel`` extra), each method call runs in a
    SERVER span that continues the calling app's trace (docs/telemetry.md)."""
    asyncio.run(_serve(impl, manifest, tracer_provider))
