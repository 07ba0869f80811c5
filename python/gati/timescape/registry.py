"""``Timescape``: the app-wide version registry behind ``app.timescape`` and ``gctx.timescape``.

It owns the tags, the version lifecycle (deprecations, decommissions, usage, drain), version
health and one ``VersionedRoute`` per versioned (method, pattern). Anything that changes what
a version resolves to (a registration, a tag, a deprecation, a decommission, a health mark, a
sunset or health mark running out) re-plans the routes at once, so a request only reads plans.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from gati.http.route import Route
from gati.http.routing import RouteTable
from gati.timescape.changes import Schemas, Step
from gati.timescape.health import Health, HealthPolicy, Key
from gati.timescape.introspection import Resolution, VersionInfo, describe, resolution_of
from gati.timescape.lifecycle import Lifecycle
from gati.timescape.resolution import VersionedRoute
from gati.timescape.serving import Served
from gati.timescape.shared import SharedTimescape
from gati.timescape.transformers import Transformer
from gati.timescape.versions import (
    Tags,
    UnknownVersion,
    VersionError,
    as_version,
    parse_preference,
)

__all__ = ["Timescape"]

_time = time.time
_NEVER = "9999-12-31"


class Timescape:
    """Versions, tags, transformers, lifecycle and health of one app's routes.

    ``health`` sets when a version's 5xx rate makes it unhealthy; ``drain_after`` (seconds)
    turns on automatic decommissioning of versions idle that long and not tagged; ``shared``
    (a Redis URL or a ``SharedTimescape``) shares tags, deprecations, decommissions and health
    marks made while the app runs with every worker (docs/timescape.md, "Several workers").
    """

    def __init__(
        self,
        *,
        health: HealthPolicy | None = None,
        drain_after: float | None = None,
        shared: str | SharedTimescape | None = None,
    ) -> None:
        if drain_after is not None and not drain_after > 0:
            raise ValueError("drain_after is a positive number of seconds (or None)")
        if health is not None and not isinstance(health, HealthPolicy):
            raise TypeError(f"health= takes a HealthPolicy, not {health!r}")
        if shared is not None and not isinstance(shared, str | SharedTimescape):
            raise TypeError(f"shared= takes a Redis URL or a SharedTimescape, not {shared!r}")
        self.tags = Tags()
        self.lifecycle = Lifecycle(drain_after)
        self.health = Health(health or HealthPolicy(), self._health_changed)
        self.earliest = _NEVER
        self.expires: float | None = None
        self._routes: dict[tuple[str, str], VersionedRoute] = {}
        self.shared = SharedTimescape(shared) if isinstance(shared, str) else shared

    # -- registration (App calls these) ----------------------------------------------------
    def register(
        self, route: Route, schemas: Schemas, *, pinned: bool, table: RouteTable[Any]
    ) -> VersionedRoute:
        """Add a versioned implementation. The first version of a (method, pattern) puts its
        ``VersionedRoute`` in ``table`` (a ``ValueError`` if the pattern is unversioned there)."""
        if route.version is None:
            raise VersionError("register() takes a route with a version")
        route.version = as_version(route.version)
        key = (route.method, route.pattern)
        group = self._routes.get(key)
        if group is None:
            group = VersionedRoute(self, route.method, route.pattern)
            table.add(route.method, route.pattern, group)
            self._routes[key] = group
        group.add(route, schemas, pinned)
        return group

    def add_transformer(self, path: str, impl: Any, **options: Any) -> Transformer:
        """Register the hop ``from_ → to`` on every versioned method of ``path`` having ``to``;
        ``options`` are ``Transformer``'s keywords (``from_``, ``to``, the schemas, ``errors``)."""
        hop = Transformer(path, impl, **options)
        groups = [g for (_, p), g in self._routes.items() if p == path and g.accepts(hop)]
        if not groups:
            raise VersionError(
                f"transformer {hop.name}: no versioned route on {path!r} has version {hop.to}"
            )
        for group in groups:
            group.add_transformer(hop)
        return hop

    # -- the public API ----------------------------------------------------------------------
    def tag(self, name: str, version: str | datetime.date) -> None:
        """Make ``name`` an alias of ``version`` (``stable`` is what unversioned requests get)."""
        self._decide({"op": "tag", "name": name, "version": as_version(version)})

    def deprecate(
        self, version: str | datetime.date, *, sunset: str | datetime.date | None = None
    ) -> None:
        """Announce ``version`` as deprecated (``Deprecation``) retiring on ``sunset``."""
        end = None if sunset is None else as_version(sunset)
        self._decide({"op": "deprecate", "version": as_version(version), "sunset": end,
                      "at": _time()})  # fmt: skip

    def decommission(self, version: str | datetime.date) -> None:
        """Retire ``version`` now: its requests migrate when a safe path exists, else 410."""
        self._decide({"op": "decommission", "version": as_version(version)})

    def mark_unhealthy(self, method: str, path: str, version: str | datetime.date) -> None:
        """Take ``version`` of ``method path`` out of traffic until ``mark_healthy``."""
        self._mark(method, path, version, healthy=False)

    def mark_healthy(self, method: str, path: str, version: str | datetime.date) -> None:
        """Put ``version`` of ``method path`` back into traffic (its 5xx window starts afresh)."""
        self._mark(method, path, version, healthy=True)

    def _mark(self, method: str, path: str, version: str | datetime.date, healthy: bool) -> None:
        m, p, v = self._key(method, path, version)
        self._decide({"op": "mark", "method": m, "path": p, "version": v, "healthy": healthy})

    def _decide(self, record: dict[str, Any]) -> None:
        """Apply an operator's decision here, then share it with the other workers."""
        self.apply(record)
        if self.shared is not None:
            self.shared.publish(record)

    def apply(self, record: dict[str, Any]) -> None:
        """Apply one decision (``tag``, ``deprecate``, ``decommission`` or ``mark``) in this
        process, as a shared Timescape does with the other workers' decisions."""
        op = record["op"]
        if op == "tag":
            self.tags.set(record["name"], record["version"])
        elif op == "deprecate":
            self.lifecycle.deprecate(record["version"], record["sunset"], at=record["at"])
        elif op == "decommission":
            self.lifecycle.decommission(record["version"])
        elif op == "mark":
            key = self._key(record["method"], record["path"], record["version"])
            self.health.mark(key, healthy=bool(record["healthy"]))
            return  # marking re-plans by itself
        else:
            raise VersionError(f"unknown Timescape decision {op!r}")
        self.refresh()

    def attach(self, gctx: Any) -> None:
        """Start and stop the shared state with the app (``App`` calls this)."""
        if self.shared is not None:
            gctx.on_startup(self._start_shared)
            gctx.on_shutdown(self.shared.close)

    async def _start_shared(self) -> None:
        assert self.shared is not None
        await self.shared.start(self.apply)

    async def flush(self) -> None:
        """Wait until the decisions taken in this worker are stored in Redis (a no-op when the
        Timescape is not shared)."""
        if self.shared is not None:
            await self.shared.flush()

    def routes(self) -> list[tuple[str, str]]:
        """Every versioned (method, pattern)."""
        return list(self._routes)

    def versions(self, method: str, path: str) -> list[VersionInfo]:
        """Every version of ``method path``, oldest first, with schemas, transformer, breaking
        flag, lifecycle, health and how it is served now."""
        return describe(self._group(method, path), _time())

    def changes(self, method: str, path: str) -> list[Step]:
        """Each step between consecutive versions with its changes and ``breaking`` flag."""
        return list(self._group(method, path).steps)

    def resolve(self, method: str, path: str, preference: str | None = None) -> Resolution:
        """What a request to ``method path`` asking ``preference`` gets right now;
        ``UnknownVersion`` for a malformed or unknown preference (a 400 over HTTP)."""
        group = self._group(method, path)
        if self.expires is not None and _time() >= self.expires:
            self.refresh()
        if preference is None:
            assert group.default is not None
            return resolution_of(group.default)
        return resolution_of(group.plans[group._at(self.date_for(preference))])

    def date_for(self, preference: str) -> str:
        """The date a client's preference asks for; ``UnknownVersion`` for a malformed value,
        an unknown tag, or a date older than every version of the app (a tag may point
        anywhere: the app set it)."""
        date = parse_preference(preference, self.tags)
        if date < self.earliest and self.tags.get(preference) is None:
            raise UnknownVersion(
                f"version {date} is older than every version of this API ({self.earliest})"
            )
        return date

    def describe(self) -> dict[str, Any]:
        """Everything at once, JSON-ready: tags, and per versioned route its versions (as
        ``VersionInfo.as_dict()``) and steps (as ``Step.as_dict()``), for OpenAPI per version,
        the Playground's version timeline and tooling."""
        now = _time()
        return {
            "tags": dict(self.tags.named()),
            "routes": [
                {
                    "method": method,
                    "path": path,
                    "pinned": group.pinned,
                    "versions": [info.as_dict() for info in describe(group, now)],
                    "changes": [step.as_dict() for step in group.steps],
                }
                for (method, path), group in self._routes.items()
            ],
        }

    def usage(self) -> dict[str, dict[str, object]]:
        """Requests, last use and lifecycle state per version."""
        return self.lifecycle.usage(self._all_versions())

    def drain(self) -> list[str]:
        """Decommission the versions idle for ``drain_after`` and not tagged; returns them.
        Runs by itself while requests arrive when ``drain_after`` is set."""
        drained = self.lifecycle.drained(self._all_versions(), self._protected(), _time())
        for version in drained:
            self.lifecycle.decommission(version)
        if drained:
            self.refresh()
        return drained

    # -- internals ---------------------------------------------------------------------------
    def failed(self, key: Key, now: float) -> None:
        """A request to ``key`` failed with a 5xx: judge its health."""
        self.health.judge(key, now)

    def failed_status(self, key: Key) -> None:
        """The implementation ``key`` answered 5xx without raising: count it, judge."""
        self.health.tally(key).failures += 1
        self.health.judge(key, _time())

    def answered(self, exc: Exception, res: Any, meta: Any) -> None:
        """The app wrote the response for a failure of a versioned request (``meta`` is its
        ``lctx.meta``): the version headers go on it, a timeout counts against health."""
        group = self._routes.get((meta.method, meta.route))
        if group is None and meta.method == "HEAD":
            group = self._routes.get(("GET", meta.route))
        index = None if group is None else group._index.get(meta.version)
        if group is None or index is None:
            return
        plan = group.plans[index]
        if type(plan) is Served:
            plan.answered(exc, res)

    def versions_changed(self) -> None:
        """A route gained a version: the earliest version may move; plan again."""
        self.earliest = min(
            (g.versions[0] for g in self._routes.values() if g.versions), default=_NEVER
        )
        self.refresh()

    def refresh(self) -> None:
        """Drain idle versions, plan every route again and note when plans next expire."""
        now = _time()
        if self.lifecycle.drain_after is not None:
            for version in self.lifecycle.drained(self._all_versions(), self._protected(), now):
                self.lifecycle.decommission(version)
        for group in self._routes.values():
            group.plan()
        times = [self.lifecycle.next_sunset(now)]
        times.append(self.health.next_change())
        if self.lifecycle.drain_after is not None:
            times.append(now + max(min(self.lifecycle.drain_after / 10, 60.0), 1.0))
        self.expires = min((t for t in times if t is not None), default=None)

    def _health_changed(self, key: Key) -> None:
        group = self._routes.get(key[:2])
        if group is not None:
            self.refresh()

    def _protected(self) -> set[str]:
        """Versions no drain may take: tagged ones and each route's newest."""
        protected = set(self.tags.named().values())
        protected.update(g.versions[-1] for g in self._routes.values() if g.versions)
        return protected

    def _all_versions(self) -> set[str]:
        return {v for g in self._routes.values() for v in g.versions}

    def _group(self, method: str, path: str) -> VersionedRoute:
        group = self._routes.get((method.upper(), path))
        if group is None:
            raise KeyError(f"no versioned route {method.upper()} {path}")
        return group

    def _key(self, method: str, path: str, version: str | datetime.date) -> Key:
        group = self._group(method, path)
        date = as_version(version)
        if date not in group.versions:
            raise VersionError(f"{group.method} {path} has no version {date}")
        return (group.method, path, date)
