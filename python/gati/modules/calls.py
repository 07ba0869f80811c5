"""``gctx.modules.<id>.<method>(**kwargs)``: the typed call surface shared by every runtime.

Arguments are validated against the method's input schema before anything is sent, the result
against its output schema when it comes back (Property 18). Each attempt is bounded by the
method's timeout. Retries (capped exponential backoff) happen only where repeating is safe:
transport failures before the request was sent, and for idempotent methods any transport
failure or timeout. Application errors are never retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from gati.errors import ValidationError
from gati.hook import Backoff
from gati.modules.errors import OUTPUT_INVALID, ModuleError, ModuleTimeout, ModuleUnavailable
from gati.modules.manifest import Method, ModuleManifest

__all__ = ["MethodCaller", "ModuleProxy", "Runtime"]

RETRY_BACKOFF = Backoff(base=0.02, factor=2.0, cap=1.0)


class Runtime(Protocol):
    """Where a module runs: in this interpreter or in a process of its own. The runtimes
    subclass it for ``reload``."""

    manifest: ModuleManifest

    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    async def reload(self) -> None:
        """Stop, then start again (a process module gets a fresh child, so new code is
        picked up); the app keeps serving."""
        await self.stop()
        await self.start()

    async def invoke(self, method: str, params: dict[str, Any], timeout: float) -> Any: ...
    def health(self) -> str: ...
    def caller(self, name: str) -> MethodCaller: ...


class MethodCaller:
    """One method of one module, callable with keyword arguments."""

    __slots__ = ("_in", "_invoke", "_out", "method", "module", "name")

    def __init__(self, module: str, name: str, method: Method, runtime: Runtime) -> None:
        self.module = module
        self.name = name
        self.method = method
        self._invoke = runtime.invoke
        self._in = method.validate_input
        self._out = method.validate_output

    async def __call__(self, **kwargs: Any) -> Any:
        params = self._in(kwargs)
        try:
            result = await self._invoke(self.name, params, self.method.timeout)
        except (ModuleUnavailable, ModuleTimeout) as exc:
            result = await self._retry(params, exc)
        return self._checked(result)

    def _checked(self, result: Any) -> Any:
        """``result`` validated against the method's output schema (an ``OUTPUT_INVALID``
        ``ModuleError`` when it fails)."""
        try:
            return self._out(result)
        except ValidationError as exc:
            raise ModuleError(
                self.module, self.name, OUTPUT_INVALID, f"the result failed validation: {exc}"
            ) from exc

    async def _retry(self, params: dict[str, Any], failure: ModuleError) -> Any:
        """Repeat a call whose transport failed, while the method's policy allows it."""
        method = self.method
        retry = 0
        while True:
            safe = method.idempotent or (
                isinstance(failure, ModuleUnavailable) and not failure.sent
            )
            if retry >= method.retries or not safe:
                raise failure
            retry += 1
            await asyncio.sleep(RETRY_BACKOFF.delay(retry))
            try:
                return await self._invoke(self.name, params, method.timeout)
            except (ModuleUnavailable, ModuleTimeout) as exc:
                failure = exc

    def __repr__(self) -> str:
        return f"<module method {self.module}.{self.name}>"


class ModuleProxy:
    """A registered module as handlers see it: one ``MethodCaller`` per manifest method."""

    def __init__(self, manifest: ModuleManifest, runtime: Runtime) -> None:
        self.manifest = manifest
        self.runtime = runtime
        for name in manifest.methods:
            self.__dict__[name] = runtime.caller(name)

    def wrap_callers(self, wrap: Callable[[Any, ModuleManifest], Any]) -> None:
        """Put ``wrap(caller, manifest)`` in front of each method's caller (telemetry)."""
        for name in self.manifest.methods:
            self.__dict__[name] = wrap(self.__dict__[name], self.manifest)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        known = ", ".join(sorted(self.manifest.methods)) or "none"
        raise AttributeError(f"module {self.manifest.id!r} has no method {name!r} ({known})")

    def __repr__(self) -> str:
        return f"<module {self.manifest.id} {self.manifest.version} ({self.manifest.runtime})>"
