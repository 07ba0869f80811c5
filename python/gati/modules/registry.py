"""``app.modules``: the typed modules of one app, their runtimes and their lifecycle.

Registering a module makes it ``gctx.modules.<id>`` at once, adds its health check
(``module:<id>``, not critical: a module restarting makes the app *degraded*) and, on the
first registration, start-up and shutdown callbacks that start and stop every runtime.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from gati.modules.calls import ModuleProxy, Runtime
from gati.modules.capabilities import LocalHost
from gati.modules.errors import ManifestError
from gati.modules.manifest import ModuleManifest
from gati.modules.runtimes import InProcessRuntime, ProcessRuntime

__all__ = ["ModuleRegistry"]


class ModuleRegistry:
    """The typed modules registered on one Global Context."""

    def __init__(self, gctx: Any) -> None:
        self.gctx = gctx
        self.host = LocalHost(gctx)
        self._runtimes: dict[str, Runtime] = {}
        self._proxies: list[ModuleProxy] = []
        self._wrap: Callable[[Any, ModuleManifest], Any] | None = None
        self._hooked = False

    def add(
        self,
        manifest: ModuleManifest,
        impl: Any = None,
        *,
        command: Sequence[str] | None = None,
        transport: str = "stdio",
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> ModuleProxy:
        """Register ``impl`` (in-process) or ``command`` (a process) under ``manifest.id``."""
        if not isinstance(manifest, ModuleManifest):
            raise ManifestError(f"app.module needs a ModuleManifest, not {manifest!r}")
        if manifest.id in self.gctx.modules:
            raise ManifestError(f"a module {manifest.id!r} is already registered")
        if (impl is None) == (command is None):
            raise ManifestError("give app.module either an impl (in-process) or a command")
        if isinstance(command, str):  # list("python m.py") would run "p"
            raise ManifestError(
                f"module {manifest.id!r}: command= is a list of arguments, such as "
                f"{command.split()!r}, not one string"
            )
        if impl is not None and (transport != "stdio" or env is not None or cwd is not None):
            raise ManifestError(
                f"module {manifest.id!r}: transport=, env= and cwd= are for a process module "
                "(command=), not an in-process impl"
            )
        runtime: Runtime
        if command is not None:
            if manifest.runtime != "process":
                raise ManifestError(f"module {manifest.id!r}: a command needs runtime='process'")
            runtime = ProcessRuntime(
                manifest, command, self.host, transport=transport, env=env, cwd=cwd
            )
        else:
            if manifest.runtime != "inprocess":
                raise ManifestError(f"module {manifest.id!r}: an impl needs runtime='inprocess'")
            runtime = InProcessRuntime(manifest, impl, self.host)
        proxy = ModuleProxy(manifest, runtime)
        if self._wrap is not None:
            proxy.wrap_callers(self._wrap)
        self._proxies.append(proxy)
        self.gctx.register_module(manifest.id, proxy)
        self._runtimes[manifest.id] = runtime
        self.gctx.on_health(f"module:{manifest.id}", runtime.health, critical=False)
        if not self._hooked:
            self._hooked = True
            self.gctx.on_startup(self.start, priority=100)
            self.gctx.on_shutdown(self.stop, priority=-100, timeout=30.0)
        return proxy

    def wrap_callers(self, wrap: Callable[[Any, ModuleManifest], Any]) -> None:
        """Put ``wrap(caller, manifest)`` in front of every method caller, of the modules
        registered so far and of those registered later (telemetry's client spans)."""
        self._wrap = wrap
        for proxy in self._proxies:
            proxy.wrap_callers(wrap)

    async def start(self) -> None:
        """Start every runtime (a failure aborts start-up, after stopping those started)."""
        started: list[Runtime] = []
        try:
            for runtime in self._runtimes.values():
                await runtime.start()
                started.append(runtime)
        except BaseException:
            for runtime in reversed(started):
                await runtime.stop()
            raise

    async def stop(self) -> None:
        """Stop every runtime, all at once (each bounded by its own timeouts)."""
        results = await asyncio.gather(
            *(runtime.stop() for runtime in reversed(self._runtimes.values())),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]

    async def reload(self, module: str) -> None:
        """Restart one module (a process module gets a fresh child); the others keep serving."""
        await self[module].reload()

    def __getitem__(self, module: str) -> Runtime:
        try:
            return self._runtimes[module]
        except KeyError:
            raise KeyError(f"no typed module {module!r}") from None

    def __contains__(self, module: object) -> bool:
        return module in self._runtimes

    def __iter__(self) -> Iterator[str]:
        return iter(self._runtimes)

    def __len__(self) -> int:
        return len(self._runtimes)
