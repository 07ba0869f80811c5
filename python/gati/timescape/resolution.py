"""Resolution: which implementation serves a request, for one versioned (method, pattern).

The route table keeps one ``VersionedRoute`` per versioned (method, pattern). Its versions are
the dates of its implementations plus the ``from_`` dates of the transformers leading to them.
Whenever something changes (a registration, a tag, a deprecation, a health mark) it plans, for
each version, either a ``Served`` (the implementation that runs and the hops that migrate the
request up and the response down) or a ``Refusal`` (410 gone, 503 unhealthy). A request then
costs one dict lookup of the preference, or a tag lookup, a date check and one ``bisect``
(Property 33):

- nothing asked → the ``stable`` tag if set, else ``latest``;
- a date → the latest version at or before it; before the route's first version → the first;
- an unknown tag, a malformed value, a date before the app's earliest version → 400.

Planning a version (Properties 7, 15, 16, 17): a version whose implementation is live and
healthy is served by it, or, unless the route pins its versions, by the newest live
implementation reached through non-breaking steps only. Otherwise the version takes the safe
path up: its transformer hop when it has one, else a non-breaking step, until a live healthy
implementation; no safe path → 410 if the version is gone, else 503.
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, final

from gati.http.errors import HTTPError
from gati.http.route import Route
from gati.http.validation import Validator
from gati.lifecycle.hooks import Hook
from gati.timescape.changes import Schemas, Step, compare
from gati.timescape.serving import Served
from gati.timescape.transformers import Transformer
from gati.timescape.versions import UnknownVersion, VersionError

if TYPE_CHECKING:
    from gati.timescape.registry import Timescape

__all__ = ["KNOWN_PREFERENCES", "Refusal", "VersionedRoute"]

# Preferences remembered per route (a dict hit instead of parsing the date and a bisect: about
# 0.3 µs); past this many distinct values the rest are resolved each time, so memory stays flat.
KNOWN_PREFERENCES = 256

_time = time.time


class Refusal:
    """A version that cannot be served now: ``status`` 410 or 503, and why."""

    __slots__ = ("detail", "headers", "status", "version")

    def __init__(self, version: str, status: int, detail: str, headers: dict[str, str]) -> None:
        self.version = version
        self.status = status
        self.detail = detail
        self.headers = {**headers, "Gati-Version": version}

    def error(self, remaining: Sequence[str]) -> HTTPError:
        """A fresh problem to raise (an exception instance is never raised twice)."""
        return HTTPError(
            self.status,
            self.detail,
            headers=self.headers,
            extra={"version": self.version, "versions": list(remaining)},
        )


@final  # the app tests for it by exact type (cheaper than isinstance)
class VersionedRoute:
    """Every version of one (method, pattern) and the plan that serves each of them."""

    __slots__ = (
        "_index",
        "_known",
        "default",
        "impls",
        "method",
        "pattern",
        "pinned",
        "plans",
        "schemas",
        "steps",
        "timescape",
        "transformers",
        "versions",
    )

    handler_id: str | None = None  # each version has its own (``impls``)

    def __init__(self, timescape: Timescape, method: str, pattern: str) -> None:
        self.timescape = timescape
        self.method = method
        self.pattern = pattern
        self.pinned = False
        self.impls: dict[str, Route] = {}
        self.schemas: dict[str, Schemas] = {}
        self.transformers: dict[str, Transformer] = {}  # from_ → its hop
        self.versions: list[str] = []
        self.steps: list[Step] = []  # steps[i]: versions[i] → versions[i + 1]
        self.plans: list[Served | Refusal] = []
        self._index: dict[str, int] = {}
        self._known: dict[str, Served | Refusal] = {}  # preference → plan, until plans change
        self.default: Served | Refusal | None = None

    # -- registration ----------------------------------------------------------------------
    def add(self, route: Route, schemas: Schemas, pinned: bool) -> None:
        """Add the implementation ``route`` (its ``version`` set) with its declared schemas."""
        version = route.version
        assert version is not None
        if version in self.impls:
            raise VersionError(f"{self.method} {self.pattern} already has version {version}")
        if self.impls and pinned != self.pinned:
            raise VersionError(
                f"{self.method} {self.pattern}: pin_versions must be the same on every version"
            )
        self.pinned = pinned
        edit = next((r.plan_edit for r in self.impls.values() if r.plan_edit is not None), None)
        if edit is not None and route.plan_edit is None:
            # the built-in edit on every version's plan (the Playground's debug gates) reaches
            # a version implemented later too
            route.plan_edit = edit
            route.plan = edit(route.plan)
        self.impls[version] = route
        route.server_error = functools.partial(
            self.timescape.failed_status, (self.method, self.pattern, version)
        )
        self.schemas[version] = schemas
        self._remeasure()

    def accepts(self, hop: Transformer) -> bool:
        """Whether ``hop`` leads to a version of this route."""
        return hop.to in self.impls or hop.to in self._index

    def add_transformer(self, hop: Transformer) -> None:
        """Add a hop (the caller checked it leads somewhere); one hop per ``from_`` version."""
        old = self.transformers.get(hop.from_)
        if old is not None:
            raise VersionError(
                f"{self.method} {self.pattern}: version {hop.from_} already migrates up "
                f"through {old.name} ({old.from_} → {old.to}); transformers are immutable"
            )
        self.transformers[hop.from_] = hop
        self._remeasure()

    def replan(self, global_hooks: Sequence[Hook]) -> None:
        """Order each implementation's hooks again, then rebuild the plans that point at them."""
        for route in self.impls.values():
            route.replan(global_hooks)
        self.plan()

    def schemas_of(self, version: str) -> Schemas:
        """The schemas clients of ``version`` see: its implementation's, else its hop's
        (request and response from the transformer, query and params from where it leads)."""
        found = self.schemas.get(version)
        if found is not None:
            return found
        hop = self.transformers[version]
        upper = self.schemas_of(hop.to)
        return Schemas(hop.request_schema, upper.query, upper.params, hop.response_schema)

    def validators_of(self, version: str) -> tuple[Validator | None, Validator | None]:
        """The compiled request and response validators of ``version`` (compiled once, at
        registration: its implementation's, else its hop's)."""
        impl = self.impls.get(version)
        if impl is not None:
            return impl.body_validator, impl.response_validator
        hop = self.transformers[version]
        return hop.request_validator, hop.response_validator

    def _remeasure(self) -> None:
        """Recompute the versions and the breaking steps between them, then plan."""
        versions = set(self.impls)
        grew = True
        while grew:  # a hop counts once it leads (maybe through other hops) to a version
            reached = {v for v, hop in self.transformers.items() if hop.to in versions}
            grew = not reached <= versions
            versions |= reached
        self.versions = sorted(versions)
        self._index = {v: i for i, v in enumerate(self.versions)}
        self.steps = [
            compare(old, self.schemas_of(old), new, self.schemas_of(new))
            for old, new in zip(self.versions, self.versions[1:], strict=False)
        ]
        self.timescape.versions_changed()

    # -- planning --------------------------------------------------------------------------
    def plan(self) -> None:
        """Plan every version for the current tags, lifecycle and health."""
        ts = self.timescape
        now = _time()
        live = [
            v in self.impls
            and not ts.lifecycle.is_gone(v, now)
            and ts.health.healthy((self.method, self.pattern, v))
            for v in self.versions
        ]
        self.plans = [self._plan(i, live, now) for i in range(len(self.versions))]
        self._known.clear()
        stable = ts.tags.get("stable")  # nothing asked: stable if set, else latest
        self.default = (
            self.plans[-1 if stable is None else self._at(stable)] if self.plans else None
        )

    def _newest_compatible(self, i: int, live: list[bool]) -> int:
        """The newest live implementation reached from ``i`` by non-breaking steps (or ``i``)."""
        best = i
        j = i
        while j < len(self.steps) and not self.steps[j].breaking:
            j += 1
            if live[j]:
                best = j
        return best

    def _plan(self, i: int, live: list[bool], now: float) -> Served | Refusal:
        version = self.versions[i]
        if live[i]:
            target = i if self.pinned else self._newest_compatible(i, live)
            return self._served(version, target, ())
        hops: list[Transformer] = []
        at = i
        while True:
            hop = self.transformers.get(self.versions[at])
            if hop is not None:
                hops.append(hop)
                at = self._index[hop.to]
            elif at < len(self.steps) and not self.steps[at].breaking:
                at += 1
            else:
                return self._refusal(version, self.versions[at], now)
            if live[at]:
                target = at if self.pinned else self._newest_compatible(at, live)
                return self._served(version, target, tuple(hops))

    def _served(self, version: str, target: int, hops: tuple[Transformer, ...]) -> Served:
        ts = self.timescape
        retirement = ts.lifecycle.retirements.get(version)
        impl = self.impls[self.versions[target]]
        tally = ts.health.tally((self.method, self.pattern, self.versions[target]))
        counters = (ts.lifecycle.entry(version), tally, ts.failed)
        return Served(
            self,
            version,
            impl,
            hops,
            self.validators_of(version),
            () if retirement is None else retirement.headers,
            counters,
        )

    def _refusal(self, version: str, stuck: str, now: float) -> Refusal:
        gone = self.timescape.lifecycle
        if gone.is_gone(version, now) or gone.is_gone(stuck, now):
            return Refusal(
                version,
                410,
                f"version {version} of {self.method} {self.pattern} is decommissioned "
                "and no transformer leads to a version still served",
                {},
            )
        retry = int(self.timescape.health.policy.window)
        return Refusal(
            version,
            503,
            f"version {version} of {self.method} {self.pattern} is unhealthy and no "
            "transformer or compatible version can safely serve it",
            {"Retry-After": str(retry)},
        )

    # -- per request -----------------------------------------------------------------------
    def _at(self, date: str) -> int:
        """The index of the latest version at or before ``date`` (the first if none is)."""
        return max(bisect_right(self.versions, date) - 1, 0)

    def select(self, preference: str | None) -> Served:
        """The plan for a request asking ``preference``; ``HTTPError`` 400, 410 or 503."""
        ts = self.timescape
        if ts.expires is not None and _time() >= ts.expires:
            ts.refresh()
        if preference is None:
            plan = self.default
        else:
            plan = self._known.get(preference)
            if plan is None:
                try:
                    date = ts.date_for(preference)
                except UnknownVersion as exc:
                    raise self._bad_version(str(exc)) from None
                plan = self.plans[self._at(date)]
                if len(self._known) < KNOWN_PREFERENCES:  # bounded: client input
                    self._known[preference] = plan
        if type(plan) is Served:  # 0.03 µs less than isinstance on every request
            return plan
        assert plan is not None  # a group always has a version, so a default plan
        raise plan.error(self.remaining())

    def remaining(self) -> list[str]:
        """The versions of this route not decommissioned."""
        now = _time()
        return [v for v in self.versions if not self.timescape.lifecycle.is_gone(v, now)]

    def _bad_version(self, detail: str) -> HTTPError:
        return HTTPError(
            400,
            detail,
            extra={"versions": self.versions, "tags": self.timescape.tags.names()},
        )
