"""``GlobalContext`` (``gctx``): app-wide read-only config, modules, shared state, start-up,
shutdown and health (DESIGN §5)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, TypeVar, overload

from gati.context.metrics import NO_METRICS
from gati.context.readonly import freeze
from gati.errors import GatiError, ModuleNotFoundError, StartupError
from gati.hook import is_async_callable

__all__ = ["HEALTH_STATES", "GlobalContext", "Modules", "SharedState"]

HEALTH_STATES: Final = ("healthy", "degraded", "unhealthy")
_log = logging.getLogger("gati.app")
C = TypeVar("C", bound=Callable[..., Any])


def _check_callable(fn: object, what: str) -> None:
    if not callable(fn):
        raise TypeError(f"{what} registers a callable, not {type(fn).__name__}")


def _check_priority(priority: object, what: str) -> None:
    if type(priority) is not int:
        raise TypeError(f"{what} priority must be an int, not {priority!r}")


def _check_timeout(timeout: object, what: str) -> None:
    """A callback's bound: a positive number of seconds (``0`` or less would time it out
    before it ran)."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"{what} timeout must be a positive number of seconds, not {timeout!r}")


class Modules:
    """Registered modules: ``modules.db``, ``modules["db"]``, ``"db" in modules``."""

    __slots__ = ("_m",)

    def __init__(self) -> None:
        self._m: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._m[name]
        except KeyError:
            known = ", ".join(sorted(self._m)) or "none"
            raise ModuleNotFoundError(f"no module {name!r} (registered: {known})") from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]

    def __contains__(self, name: object) -> bool:
        return name in self._m

    def __iter__(self) -> Iterator[str]:
        return iter(self._m)

    def __len__(self) -> int:
        return len(self._m)


class SharedState:
    """The app-wide store: plain references, shared by every request (unlike ``lctx.state``)."""

    __slots__ = ("_d",)

    def __init__(self) -> None:
        self._d: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self._d.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self._d[key] = value

    def delete(self, key: str) -> bool:
        return self._d.pop(key, _MISSING) is not _MISSING

    def clean(self) -> None:
        self._d.clear()

    def keys(self) -> list[str]:
        return list(self._d)

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def __getitem__(self, key: str) -> Any:
        return self._d[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._d[key] = value

    def __delitem__(self, key: str) -> None:
        del self._d[key]

    def __len__(self) -> int:
        return len(self._d)


_MISSING: Final = object()


async def _call(fn: Callable[[], Any], timeout: float | None) -> Any:
    """Call ``fn()``: async ones awaited, sync ones in a worker thread, both bounded."""
    aw = fn() if is_async_callable(fn) else asyncio.to_thread(fn)
    return await asyncio.wait_for(aw, timeout)


class GlobalContext:
    """What every request shares; created once per app."""

    __slots__ = (
        "_health",
        "_shutdown",
        "_startup",
        "config",
        "fabric",
        "metrics",
        "modules",
        "secrets",
        "state",
        "timescape",
    )

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(f"config= takes a mapping, not {type(config).__name__}")
        self.config = freeze(dict(config or {}))
        self.modules = Modules()
        self.state = SharedState()
        # ``gctx.metrics.counter/gauge/histogram``: a no-op until telemetry is on.
        self.metrics: Any = NO_METRICS
        # The app's SecretsManager (gati.secrets): ``await gctx.secrets.get(name)``.
        self.secrets: Any = None
        self.timescape: Any = None  # the app's version registry (gati.timescape.Timescape)
        self._startup: list[tuple[int, int, Callable[[], Any]]] = []
        self._shutdown: list[tuple[int, int, float, Callable[[], Any]]] = []
        self._health: dict[str, tuple[Callable[[], Any], bool, float]] = {}
        self.fabric: Any = None  # the app's gati.fabric.Fabric, set by App

    # -- fabric (DESIGN §8) ------------------------------------------------------------------
    async def publish(self, topic: str, payload: Any = None, **options: Any) -> Any:
        """Publish on the app's fabric: ``priority``, ``ttl``, ``dedupe_key``, ``headers``,
        ``timeout`` as ``gati.fabric.Fabric.publish``; ``lctx.publish`` stays request-scoped."""
        return await self._the_fabric().publish(topic, payload, **options)

    async def subscribe(self, topic: str, fn: Callable[[Any], Any], **options: Any) -> Any:
        """Subscribe to the app's fabric (``group``, ``max_attempts``, ``concurrency``)."""
        return await self._the_fabric().subscribe(topic, fn, **options)

    def _the_fabric(self) -> Any:
        if self.fabric is None:
            raise GatiError("this Global Context has no fabric (App sets one)")
        return self.fabric

    def get_module(self, name: str) -> Any:
        """The module registered as ``name``; gati's ``ModuleNotFoundError`` if none."""
        return self.modules[name]

    def register_module(self, name: str, module: Any) -> None:
        """Make ``module`` reachable as ``gctx.modules.<name>``."""
        if not name.isidentifier():
            raise ValueError(f"module name must be an identifier, not {name!r}")
        self.modules._m[name] = module

    # -- lifecycle ---------------------------------------------------------------------------
    @overload
    def on_startup(self, fn: C, *, priority: int = 0) -> C: ...
    @overload
    def on_startup(self, fn: None = None, *, priority: int = 0) -> Callable[[C], C]: ...
    def on_startup(self, fn: C | None = None, *, priority: int = 0) -> Any:
        """Run ``fn()`` at start-up; higher priority first, then registration order. Also a
        decorator, bare or with options: ``@gctx.on_startup(priority=5)``."""
        _check_priority(priority, "on_startup")

        def register(f: C) -> C:
            _check_callable(f, "on_startup")
            self._startup.append((-priority, len(self._startup), f))
            return f

        return register if fn is None else register(fn)

    @overload
    def on_shutdown(self, fn: C, *, priority: int = 0, timeout: float = 10.0) -> C: ...
    @overload
    def on_shutdown(
        self, fn: None = None, *, priority: int = 0, timeout: float = 10.0
    ) -> Callable[[C], C]: ...
    def on_shutdown(self, fn: C | None = None, *, priority: int = 0, timeout: float = 10.0) -> Any:
        """Run ``fn()`` at shutdown, bounded by ``timeout``; higher priority first. Also a
        decorator, bare or with options."""
        _check_priority(priority, "on_shutdown")
        _check_timeout(timeout, "on_shutdown")

        def register(f: C) -> C:
            _check_callable(f, "on_shutdown")
            self._shutdown.append((-priority, len(self._shutdown), timeout, f))
            return f

        return register if fn is None else register(fn)

    @overload
    def on_health(self, name: str, fn: C, *, critical: bool = True, timeout: float = 5.0) -> C: ...
    @overload
    def on_health(
        self, name: str, fn: None = None, *, critical: bool = True, timeout: float = 5.0
    ) -> Callable[[C], C]: ...
    def on_health(
        self, name: str, fn: C | None = None, *, critical: bool = True, timeout: float = 5.0
    ) -> Any:
        """Add a health check. ``fn()`` returns True/False or one of ``HEALTH_STATES``; raising
        or timing out counts as failing. A failing critical check makes the app unhealthy, a
        failing non-critical one degraded. Also a decorator: ``@gctx.on_health("db")``."""
        if not isinstance(name, str):
            raise TypeError(
                f'on_health needs a check name first: on_health("db", fn), not {name!r}'
            )
        _check_timeout(timeout, "on_health")

        def register(f: C) -> C:
            _check_callable(f, "on_health")
            self._health[name] = (f, critical, timeout)
            return f

        return register if fn is None else register(fn)

    async def startup(self) -> None:
        """Run start-up callbacks in order; the first failure aborts with ``StartupError``."""
        for _, _, fn in sorted(self._startup, key=lambda t: t[:2]):
            try:
                await _call(fn, None)
            except Exception as exc:
                raise StartupError(f"start-up callback {fn!r} failed: {exc}") from exc

    async def shutdown(self) -> dict[str, str]:
        """Run every shutdown callback, each bounded by its timeout; failures are logged.

        Returns ``{callback name: "ok" | "timeout" | "error: …"}``.
        """
        out: dict[str, str] = {}
        for _, _, timeout, fn in sorted(self._shutdown, key=lambda t: t[:2]):
            name = getattr(fn, "__qualname__", None) or repr(fn)
            try:
                await _call(fn, timeout)
                out[name] = "ok"
            except TimeoutError:
                _log.error("shutdown callback %s timed out after %s s", name, timeout)
                out[name] = "timeout"
            except Exception as exc:
                _log.exception("shutdown callback %s failed", name)
                out[name] = f"error: {type(exc).__name__}: {exc}"
        return out

    async def health(self) -> dict[str, Any]:
        """``{"status": healthy|degraded|unhealthy, "checks": {name: {"status", "error"?}}}``."""
        checks: dict[str, dict[str, Any]] = {}
        worst = 0
        for name, (fn, critical, timeout) in self._health.items():
            entry: dict[str, Any]
            try:
                r = await _call(fn, timeout)
                status = r if r in HEALTH_STATES else ("healthy" if r is True else "unhealthy")
                entry = {"status": status}
            except Exception as exc:
                status = "unhealthy"
                entry = {"status": status, "error": f"{type(exc).__name__}: {exc}"}
            checks[name] = entry
            rank = HEALTH_STATES.index(status)
            if rank == 2 and not critical:
                rank = 1
            worst = max(worst, rank)
        return {"status": HEALTH_STATES[worst], "checks": checks}
