"""The restricted context a module receives: only what its manifest declared.

``ctx.secret(name)`` needs ``secrets:read``; ``ctx.publish``/``ctx.subscribe`` need
``pubsub:publish``/``pubsub:subscribe``; ``ctx.modules.<id>`` needs ``modules:call:<id>``;
``ctx.metrics`` needs ``metrics:write``; ``ctx.http`` (an egress-checked httpx client) needs
``network:egress``. Anything else raises ``CapabilityError``. The same class serves both
runtimes; only the ``Host`` behind it differs (the app itself, or an RPC channel back to it,
where the app checks every capability again).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any, Protocol

from gati.errors import GatiError
from gati.modules.egress import egress_client
from gati.modules.errors import CapabilityError
from gati.modules.manifest import CALL_PREFIX, ModuleManifest
from gati.secrets import Secret

__all__ = ["Host", "LocalHost", "ModuleContext", "check", "maybe_await"]

_log = logging.getLogger("gati.modules")
_METRIC_KINDS = ("counter", "gauge", "histogram")


class Host(Protocol):
    """What a module context delegates to once a capability is granted."""

    async def secret(self, name: str) -> Secret: ...
    async def publish(self, topic: str, payload: Any, options: dict[str, Any]) -> Any: ...
    async def subscribe(
        self, topic: str, fn: Callable[[Any], Any], options: dict[str, Any]
    ) -> Any: ...
    async def call(self, module: str, method: str, params: dict[str, Any]) -> Any: ...
    async def metric(self, kind: str, name: str, value: float, labels: dict[str, str]) -> None: ...


def check(manifest: ModuleManifest, capability: str) -> None:
    """Raise ``CapabilityError`` unless ``manifest`` declared ``capability``."""
    if capability not in manifest.capabilities:
        raise CapabilityError(f"module {manifest.id!r} did not declare {capability!r}")


async def maybe_await(value: Any) -> Any:
    """``await value`` when it is awaitable (sync or async module code alike)."""
    return await value if inspect.isawaitable(value) else value


class LocalHost:
    """The app side: secrets, fabric, modules and metrics of one Global Context."""

    def __init__(self, gctx: Any) -> None:
        self.gctx = gctx

    async def secret(self, name: str) -> Secret:
        manager = getattr(self.gctx, "secrets", None)
        if manager is None:
            raise GatiError("no secrets manager is configured on this app")
        value = await maybe_await(manager.get(name))
        return value if isinstance(value, Secret) else Secret(value)

    async def publish(self, topic: str, payload: Any, options: dict[str, Any]) -> Any:
        return await self.gctx.publish(topic, payload, **options)

    async def subscribe(self, topic: str, fn: Callable[[Any], Any], options: dict[str, Any]) -> Any:
        return await self.gctx.subscribe(topic, fn, **options)

    async def call(self, module: str, method: str, params: dict[str, Any]) -> Any:
        return await getattr(self.gctx.modules[module], method)(**params)

    async def metric(self, kind: str, name: str, value: float, labels: dict[str, str]) -> None:
        metrics = getattr(self.gctx, "metrics", None)
        if metrics is None:  # no metrics backend: written nowhere, like the OTel no-op API
            _log.debug("metric %s %s=%s dropped: no metrics backend", kind, name, value)
            return
        await maybe_await(getattr(metrics, kind)(name, value, **labels))


class _Calls:
    """``ctx.modules.<id>.<method>(**kwargs)`` for the ids declared as ``modules:call:<id>``."""

    def __init__(self, ctx: ModuleContext) -> None:
        self._ctx = ctx

    def __getattr__(self, module: str) -> Any:
        if module.startswith("__"):
            raise AttributeError(module)
        check(self._ctx.manifest, CALL_PREFIX + module)
        return _Target(self._ctx.host, module)


class _Target:
    def __init__(self, host: Host, module: str) -> None:
        self._host = host
        self._module = module

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("__"):
            raise AttributeError(method)

        async def call(**params: Any) -> Any:
            return await self._host.call(self._module, method, params)

        return call


class _Metrics:
    def __init__(self, host: Host) -> None:
        self._host = host

    async def counter(self, name: str, value: float = 1, **labels: str) -> None:
        await self._host.metric("counter", name, value, labels)

    async def gauge(self, name: str, value: float, **labels: str) -> None:
        await self._host.metric("gauge", name, value, labels)

    async def histogram(self, name: str, value: float, **labels: str) -> None:
        await self._host.metric("histogram", name, value, labels)


class ModuleContext:
    """What a module may touch; built by its runtime and handed to ``impl.start(ctx)``."""

    __slots__ = ("_http", "_subscriptions", "host", "log", "manifest")

    def __init__(self, manifest: ModuleManifest, host: Host) -> None:
        self.manifest = manifest
        self.host = host
        self.log = logging.getLogger(f"gati.modules.{manifest.id}")
        self._http: Any = None
        self._subscriptions: list[Any] = []

    @property
    def id(self) -> str:
        return self.manifest.id

    async def secret(self, name: str) -> Secret:
        """The secret ``name`` (``secrets:read``)."""
        check(self.manifest, "secrets:read")
        return await self.host.secret(name)

    async def publish(self, topic: str, payload: Any, **options: Any) -> Any:
        """Publish on the app's fabric (``pubsub:publish``)."""
        check(self.manifest, "pubsub:publish")
        return await self.host.publish(topic, payload, options)

    async def subscribe(self, topic: str, fn: Callable[[Any], Any], **options: Any) -> Any:
        """Subscribe to the app's fabric (``pubsub:subscribe``)."""
        check(self.manifest, "pubsub:subscribe")
        subscription = await self.host.subscribe(topic, fn, options)
        if hasattr(subscription, "close"):
            self._subscriptions.append(subscription)
        return subscription

    @property
    def modules(self) -> _Calls:
        """Other modules, each behind ``modules:call:<id>``."""
        return _Calls(self)

    @property
    def metrics(self) -> _Metrics:
        """``counter``/``gauge``/``histogram`` (``metrics:write``)."""
        check(self.manifest, "metrics:write")
        return _Metrics(self.host)

    @property
    def http(self) -> Any:
        """An httpx ``AsyncClient`` limited to the manifest's egress hosts (``network:egress``)."""
        check(self.manifest, "network:egress")
        if self._http is None:
            self._http = egress_client(self.manifest.id, self.manifest.egress)
        return self._http

    async def aclose(self) -> None:
        """Close the module's subscriptions and its egress client (the module stopped)."""
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise CapabilityError(
            f"module {self.manifest.id!r}: a module context has no {name!r} (it offers "
            "secret, publish, subscribe, modules, metrics, http, log)"
        )
