"""The in-process runtime: the module is a Python object in the app's interpreter.

Calls go straight to its bound methods; the per-call timeout uses the lifecycle's shared
``Watchdog`` (0.3 µs native) instead of ``asyncio.timeout`` (5.7 µs). A synchronous method blocks
the loop and cannot be interrupted by the timeout: write module methods ``async``.
"""

from __future__ import annotations

import inspect
from typing import Any

from gati.lifecycle.watchdog import Watchdog, task_and_watchdog
from gati.modules.calls import MethodCaller, Runtime
from gati.modules.capabilities import LocalHost, ModuleContext, maybe_await
from gati.modules.errors import ManifestError, ModuleError, ModuleTimeout
from gati.modules.manifest import Method, ModuleManifest
from gati.modules.rpc import error_object

__all__ = ["InProcessCaller", "InProcessRuntime"]

_isawaitable = inspect.isawaitable


class InProcessRuntime(Runtime):
    """Calls ``impl``'s methods; ``impl.start(ctx)`` / ``impl.stop()`` run when defined."""

    def __init__(self, manifest: ModuleManifest, impl: Any, host: LocalHost) -> None:
        missing = manifest.missing(impl)
        if missing:
            raise ManifestError(f"module {manifest.id!r}: impl lacks methods {missing}")
        self.manifest = manifest
        self.impl = impl
        self.ctx = ModuleContext(manifest, host)
        # (bound method, is a coroutine function): checked once, not per call (saves 0.3 µs).
        self._bound = {
            name: (getattr(impl, name), inspect.iscoroutinefunction(getattr(impl, name)))
            for name in manifest.methods
        }
        self._wd: Watchdog | None = None

    async def start(self) -> None:
        start = getattr(self.impl, "start", None)
        if start is not None:
            await maybe_await(start(self.ctx))

    async def stop(self) -> None:
        stop = getattr(self.impl, "stop", None)
        try:
            if stop is not None:
                await maybe_await(stop())
        finally:
            await self.ctx.aclose()

    def caller(self, name: str) -> MethodCaller:
        return InProcessCaller(self.manifest.id, name, self.manifest.methods[name], self)

    def health(self) -> str:
        check = getattr(self.impl, "health", None)
        return str(check()) if check is not None else "healthy"

    async def invoke(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        fn, is_coroutine = self._bound[method]
        wd = self._wd
        task = None if wd is None else wd.arm_running(timeout)
        if task is None or wd is None:  # first call, or not in a task
            task, wd = task_and_watchdog(wd)
            self._wd = wd
            if task is not None:
                wd.arm(task, timeout)
        try:
            if is_coroutine:
                r = await fn(**params)
            else:
                r = fn(**params)
                if _isawaitable(r):
                    r = await r
        except BaseException as exc:
            if task is not None and wd.disarm(task):
                raise ModuleTimeout(self.manifest.id, method, timeout) from None
            if isinstance(exc, ModuleError) or not isinstance(exc, Exception):
                raise
            err = error_object(exc)
            raise ModuleError(self.manifest.id, method, err["code"], err["message"]) from exc
        if task is not None and wd.disarm(task):
            raise ModuleTimeout(self.manifest.id, method, timeout)
        return r


class InProcessCaller(MethodCaller):
    """``MethodCaller.__call__`` with the in-process ``invoke`` inlined: one coroutine frame
    fewer per call (about 0.4 µs of the budget over a direct call)."""

    __slots__ = ("_fn", "_is_coroutine", "_runtime")

    def __init__(self, module: str, name: str, method: Method, runtime: InProcessRuntime) -> None:
        super().__init__(module, name, method, runtime)
        self._runtime = runtime
        self._fn, self._is_coroutine = runtime._bound[name]

    async def __call__(self, **kwargs: Any) -> Any:
        params = self._in(kwargs)
        runtime = self._runtime
        wd = runtime._wd
        timeout = self.method.timeout
        task = None if wd is None else wd.arm_running(timeout)
        if task is None or wd is None:
            return await MethodCaller.__call__(self, **params)  # first call, or not in a task
        try:
            if self._is_coroutine:
                r = await self._fn(**params)
            else:
                r = self._fn(**params)
                if _isawaitable(r):
                    r = await r
        except BaseException as exc:
            if wd.disarm(task):
                r = await self._retry(params, ModuleTimeout(self.module, self.name, timeout))
            elif isinstance(exc, ModuleError) or not isinstance(exc, Exception):
                raise
            else:
                err = error_object(exc)
                raise ModuleError(self.module, self.name, err["code"], err["message"]) from exc
        else:
            if wd.disarm(task):
                r = await self._retry(params, ModuleTimeout(self.module, self.name, timeout))
        return self._checked(r)
