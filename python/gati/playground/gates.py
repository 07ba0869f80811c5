"""Debug gates: pause a route's next request(s) before or after a hook (or the handler).

A gate joins the route's plan as a built-in hook placed right before or after its target, in
every plan serving the route (each version's too), and leaves the plans again once its count
is used up or it is deleted: a route without a gate runs exactly as before. It joins through
the route's ``plan_edit``, which every re-plan applies (a global hook or a built-in step added
later, a version's tag or health changing), so no re-plan drops it; a version implemented later
takes its siblings' edit when it joins the route. At most ``MAX_GATES`` are
open in the process and ``MAX_GATES_PER_ROUTE`` on one route. A request reaching
the gate waits (its state open to inspection and edits) until it is resumed, aborted (503), or
its gate's timeout passes and it continues by itself: never a hung worker. Gates live in this
process's memory; with several workers each has its own (``"per_process": true``).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gati.http.errors import HTTPError
from gati.lifecycle.hooks import Hook
from gati.lifecycle.plan import RoutePlan
from gati.playground import redact

if TYPE_CHECKING:
    from gati.playground.core import Playground

__all__ = [
    "DEFAULT_TIMEOUT",
    "GATE_ID",
    "MAX_GATES",
    "MAX_GATES_PER_ROUTE",
    "Gate",
    "GateLimit",
    "Gates",
    "Paused",
]

GATE_ID = "gati.playground.gate"
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 3600.0
MAX_COUNT = 1000
MAX_GATES = 64  # open at once in this process (a gate is listed until its last request goes on)
MAX_GATES_PER_ROUTE = 8
_WHEN = ("before", "after")


class GateLimit(Exception):
    """Too many gates are open (the API answers 409); ``limit`` is the bound reached."""

    def __init__(self, detail: str, limit: int) -> None:
        super().__init__(detail)
        self.limit = limit


@dataclass(eq=False)
class Gate:
    """Pause the next ``remaining`` requests of ``route`` at ``when``:``hook``."""

    id: str
    route: str
    key: tuple[str, str]
    hook: str
    when: str
    remaining: int
    timeout: float
    hooks: list[Hook] = field(default_factory=list)  # this gate's hook in each chain kind

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "route": self.route,
            "hook": self.hook,
            "when": self.when,
            "remaining": self.remaining,
            "timeout": self.timeout,
        }


@dataclass(eq=False)
class Paused:
    """A request waiting at a gate."""

    pause_id: str
    gate: Gate
    lctx: Any
    since: float
    deadline: float
    decision: asyncio.Future[str]

    def replace_state(self, edited: dict[str, Any], secrets: tuple[str, ...]) -> None:
        """Make ``edited`` (saved over the redacted view) the request's whole ``lctx.state``;
        values left as shown keep their real value (``redact.restore``)."""
        store = self.lctx.state
        state = redact.restore(edited, store.items(), secrets)
        store.clean()
        for key, value in state.items():
            store.set(key, value)

    def as_dict(self, secrets: tuple[str, ...]) -> dict[str, Any]:
        store = self.lctx.state
        return {
            "pause_id": self.pause_id,
            "gate_id": self.gate.id,
            "request_id": self.lctx.meta.request_id,
            "route": self.gate.route,
            "hook": self.gate.hook,
            "when": self.gate.when,
            "state": redact.state(store.items(), secrets),
            "since": self.since,
            "deadline": self.deadline,
        }


class Gates:
    """The gates and paused requests of one Playground."""

    def __init__(self, playground: Playground) -> None:
        self.pg = playground
        self.gates: dict[str, Gate] = {}
        self.paused: dict[str, Paused] = {}
        self._ids = itertools.count(1)

    def describe(self) -> dict[str, Any]:
        secrets = self.pg.secrets()
        return {
            "gates": [g.as_dict() for g in self.gates.values()],
            "paused": [p.as_dict(secrets) for p in self.paused.values()],
            "per_process": True,
        }

    def paused_by_id(self, pause_id: str) -> Paused | None:
        return self.paused.get(pause_id)

    # -- setting and removing ------------------------------------------------------------
    def add(self, spec: Any) -> Gate:
        """A gate from the API's JSON (``ValueError`` says what is wrong with it,
        ``GateLimit`` that too many gates are open)."""
        if not isinstance(spec, dict):
            raise ValueError('a gate is {"route", "hook", "when", "count", "timeout"}')
        route, hook, when = spec.get("route"), spec.get("hook"), spec.get("when", "before")
        count, timeout = spec.get("count", 1), spec.get("timeout", DEFAULT_TIMEOUT)
        if not isinstance(route, str) or " " not in route:
            raise ValueError(f'route is "METHOD template", e.g. "GET /users/{{id}}", not {route!r}')
        method, pattern = route.split(" ", 1)
        key = (method.upper(), pattern)
        routes = self._routes(key)
        if not routes:
            raise ValueError(f"no route {route!r}")
        if not isinstance(hook, str) or not hook:
            raise ValueError('hook is a hook id, or "handler"')
        if hook != "handler" and not any(_kind_of(r.plan, hook) for r in routes):
            known = sorted({h.id for r in routes for h in _chains(r.plan) if h.id != GATE_ID})
            raise ValueError(f"route {route!r} has no hook {hook!r}; its hooks: {known}")
        if when not in _WHEN:
            raise ValueError(f'when is "before" or "after", not {when!r}')
        if type(count) is not int or not 1 <= count <= MAX_COUNT:
            raise ValueError(f"count is an integer from 1 to {MAX_COUNT}, not {count!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError(f"timeout is a number of seconds, not {timeout!r}")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout is between 0 and {MAX_TIMEOUT:g} seconds, not {timeout!r}")
        if len(self.gates) >= MAX_GATES:
            raise GateLimit(f"at most {MAX_GATES} gates may be open; remove one first", MAX_GATES)
        if sum(g.key == key for g in self.gates.values()) >= MAX_GATES_PER_ROUTE:
            raise GateLimit(
                f"at most {MAX_GATES_PER_ROUTE} gates may be open on one route; remove one first",
                MAX_GATES_PER_ROUTE,
            )
        gate = Gate(
            f"g{next(self._ids)}", f"{key[0]} {key[1]}", key, hook, when, count, float(timeout)
        )
        self.gates[gate.id] = gate
        self._replan(key)
        return gate

    def remove(self, gate_id: str) -> bool:
        """Delete a gate; requests paused at it resume."""
        gate = self.gates.get(gate_id)
        if gate is None:
            return False
        del self.gates[gate_id]
        self._replan(gate.key)
        for paused in list(self.paused.values()):
            if paused.gate is gate:
                self.end(paused.pause_id, "resume")
        return True

    def release(self) -> None:
        """Resume every paused request (the server is shutting down)."""
        for pause_id in list(self.paused):
            self.end(pause_id, "resume")

    def _replan(self, key: tuple[str, str]) -> None:
        """Plan the route ``key`` again, its open gates included by its ``plan_edit`` (which
        every later re-plan applies too: a new global hook or step keeps the gates)."""
        gated = any(g.key == key and g.remaining > 0 for g in self.gates.values())
        edit = functools.partial(self._gated, key) if gated else None
        for route in self._routes(key):
            route.plan_edit = edit
        for entry in self._entries(key):
            entry.replan(self.pg.app.global_hooks)

    def _entries(self, key: tuple[str, str]) -> list[Any]:
        """The router entries of the route ``key`` (a route, or a versioned route)."""
        return [e for m, p, e in self.pg.app.routes.routes() if (m, p) == key]

    def _routes(self, key: tuple[str, str]) -> list[Any]:
        """Every route serving ``key`` (each version's implementation of a versioned one)."""
        found: list[Any] = []
        for entry in self._entries(key):
            impls = getattr(entry, "impls", None)
            found.extend((entry,) if impls is None else impls.values())
        return found

    def _gated(self, key: tuple[str, str], plan: RoutePlan) -> RoutePlan:
        """``plan`` (of the route ``key``) with the hooks of its gates that have a count left."""
        for gate in self.gates.values():
            if gate.key == key and gate.remaining > 0:
                plan = self._with_gate(plan, gate)
        return plan

    def _with_gate(self, plan: RoutePlan, gate: Gate) -> RoutePlan:
        """``plan`` with ``gate``'s hook right before or after its target."""
        before, after, catch = list(plan.before), list(plan.after), list(plan.catch)
        if gate.hook == "handler":
            if gate.when == "before":
                before.append(self._hook(gate, "before"))
            else:
                after.insert(0, self._hook(gate, "after"))
        else:
            for chain, kind in ((before, "before"), (after, "after"), (catch, "catch")):
                at = next((i for i, h in enumerate(chain) if h.id == gate.hook), None)
                if at is not None:
                    chain.insert(at if gate.when == "before" else at + 1, self._hook(gate, kind))
        return RoutePlan(tuple(before), tuple(after), tuple(catch), plan.timeout)

    def _hook(self, gate: Gate, kind: str) -> Hook:
        """The gate's hook for a chain of ``kind`` (one per kind, shared by all plans)."""
        for hook in gate.hooks:
            if hook.kind == kind:
                return hook

        async def stop(*args: Any) -> None:  # (req, res, lctx, gctx), or (exc, …) as catch
            await self._stop(gate, args[-2])

        hook = Hook(stop, kind=kind, level="route", id=GATE_ID)
        gate.hooks.append(hook)
        return hook

    # -- pausing ---------------------------------------------------------------------------
    async def _stop(self, gate: Gate, lctx: Any) -> None:
        """Pause this request if the gate still has a count left."""
        if gate.remaining <= 0:
            return
        gate.remaining -= 1
        if gate.remaining == 0:  # used up: out of the plans; listed while its request waits
            self._replan(gate.key)
        now = time.time()
        paused = Paused(
            f"p{next(self._ids)}",
            gate,
            lctx,
            now,
            now + gate.timeout,
            asyncio.get_running_loop().create_future(),
        )
        self.paused[paused.pause_id] = paused
        feed = self.pg.feed
        if feed.listening:
            feed.publish("paused", paused.as_dict(self.pg.secrets()))
        try:
            decision = await asyncio.wait_for(asyncio.shield(paused.decision), gate.timeout)
        except TimeoutError:
            decision = "resume"  # an open gate times out and the request goes on
        finally:
            self.paused.pop(paused.pause_id, None)
            if gate.remaining == 0 and not any(p.gate is gate for p in self.paused.values()):
                self.gates.pop(gate.id, None)
            feed.publish("resumed", {"pause_id": paused.pause_id})
        if decision == "abort":
            raise HTTPError(503, "aborted at a debug gate")

    def end(self, pause_id: str, action: str) -> bool:
        """Resume or abort a paused request; False when it is no longer paused."""
        paused = self.paused.get(pause_id)
        if paused is None or paused.decision.done():
            return False
        paused.decision.set_result(action)
        return True


def _chains(plan: RoutePlan) -> tuple[Hook, ...]:
    return (*plan.before, *plan.after, *plan.catch)


def _kind_of(plan: RoutePlan, hook_id: str) -> bool:
    return any(h.id == hook_id for h in _chains(plan))
