"""``LocalContext`` (``lctx``): everything that belongs to one request and to no other.

Cheap to create: the state store and every list of callbacks are made on first use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from gati.context.meta import NEXT_PHASES, Client, Meta, Peer, Routing, made_meta
from gati.context.snapshot import Snapshot, take_snapshot
from gati.context.store import copy_value, new_store
from gati.errors import HookError
from gati.hook import Backoff, Hook

__all__ = ["MAX_LOCAL_HOOKS", "LocalContext"]

MAX_LOCAL_HOOKS: Final = 256
_BACKOFF: Final = Backoff()
_new = object.__new__
_log = logging.getLogger("gati.request")
# A context made outside a request: method, path, route and handler id.
_DEFAULT_ROUTE: Final = ("GET", "/", None, None)
# The state a context snapshots before it first uses its own: an empty store nobody writes.
_NO_STATE: Final = new_store()
_LEVELS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


class Tracked:
    """An outstanding task of a request, or (after a restore) only its record."""

    __slots__ = ("_status", "name", "task")

    def __init__(self, name: str | None, task: asyncio.Future[Any] | None, status: str) -> None:
        self.name = name
        self.task = task
        self._status = status

    @property
    def status(self) -> str:
        """``pending``, ``fulfilled`` or ``rejected`` (cancelled counts as rejected)."""
        t = self.task
        if t is None:
            return self._status
        if not t.done():
            return "pending"
        return "rejected" if t.cancelled() or t.exception() is not None else "fulfilled"


class Extras:
    """The per-request lists, made only when a request first uses one of them."""

    __slots__ = (
        "after",
        "before",
        "catch",
        "cleanup",
        "compensations",
        "deferred",
        "on_error",
        "on_timeout",
        "phase_listeners",
        "subscribers",
        "trace",
        "tracked",
    )

    def __init__(self) -> None:
        self.before: list[Hook] = []
        self.after: list[Hook] = []
        self.catch: list[Hook] = []
        self.cleanup: list[Callable[[], Any]] = []
        self.on_timeout: list[Callable[[], Any]] = []
        self.on_error: list[Callable[[BaseException], Any]] = []
        self.compensations: list[Callable[[], Any]] = []
        self.deferred: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.tracked: list[Tracked] = []
        self.subscribers: dict[str, list[Callable[[Any], Any]]] = {}
        self.trace: list[dict[str, Any]] = []
        self.phase_listeners: list[Callable[[str, str], Any]] = []


_BACKOFF_ALONE = "backoff= spaces the retries: give retries= (>= 1) with it"


def _local_adder(kind: str, doc: str) -> Callable[..., Hook]:
    """``lctx.before`` / ``after`` / ``catch``: one signature, the kind bound here."""

    def add(
        self: LocalContext,
        fn: Callable[..., Any],
        *,
        id: str | None = None,
        timeout: float | None = None,
        retries: int = 0,
        backoff: Backoff | float = _BACKOFF,
    ) -> Hook:
        if backoff is not _BACKOFF and retries == 0:
            raise ValueError(_BACKOFF_ALONE)
        return self._local(kind, fn, id, timeout, retries, backoff)

    add.__name__, add.__qualname__ = kind, f"LocalContext.{kind}"
    add.__doc__ = doc
    return add


def _swallow(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: the status records it; asyncio must not warn


def _check_callable(fn: Any, method: str) -> None:
    """Refuse a non-callable where it is registered, not when the request ends."""
    if not callable(fn):
        raise TypeError(f"lctx.{method}() takes a callable, not {type(fn).__name__}")


class LocalContext:
    """The per-request context: state, metadata, phases, local hooks and callbacks."""

    # ``hook_index``, ``extras_if_made``, ``meta_if_made``, ``state_if_made`` and
    # ``current_phase`` are the lifecycle's way in: the orchestrator advances ``hook_index`` as
    # steps complete (``restore`` sets it to resume), reads the local hooks and callbacks through
    # ``extras_if_made`` without making them, snapshots the state store (``state_if_made``, None
    # while the request never touched its state) at each traced boundary, and writes
    # ``current_phase`` itself only while no listener could see the move and no ``Meta``
    # (``meta_if_made``) mirrors it; every other move goes through ``advance``.
    __slots__ = (
        "_routing",
        "current_phase",
        "extras_if_made",
        "hook_index",
        "meta_if_made",
        "state_if_made",
    )
    meta_if_made: Meta | None
    state_if_made: Any
    extras_if_made: Extras | None
    hook_index: int
    current_phase: str
    _routing: Routing

    def __init__(
        self,
        request_id: str,
        *,
        method: str = _DEFAULT_ROUTE[0],
        path: str = _DEFAULT_ROUTE[1],
        route: str | None = None,
        handler_id: str | None = None,
        version: str | None = None,
        flags: frozenset[str] = frozenset(),
        priority: int = 0,
        client: Client | None = None,
        trace_id: str | None = None,
        principal: Any = None,
        started_at: float | None = None,
        phase: str = "received",
    ) -> None:
        self._routing = (
            request_id,
            method,
            path,
            route,
            handler_id,
            version,
            flags,
            client,
            trace_id,
            time.time() if started_at is None else started_at,
        )
        self.current_phase = phase
        self.meta_if_made = None
        self.state_if_made = None
        self.extras_if_made = None
        self.hook_index = 0
        if priority or principal is not None:
            meta = self.meta
            meta.priority = priority
            meta.principal = principal

    @classmethod
    def routed(
        cls,
        request_id: str,
        method: str,
        path: str,
        route: str | None,
        handler_id: str | None,
        version: str | None,
        flags: frozenset[str],
        client: Client | Peer | None,
        trace_id: str | None,
        started_at: float,
    ) -> LocalContext:
        """A fresh context in phase ``routed`` (priority 0, no principal): the app's
        per-request constructor. It writes the slots of a bare object itself, instead of
        ``LocalContext(...)`` through ``type.__call__``, and keeps the routing facts as one
        tuple: ``lctx.meta`` is made from it on first read (most requests never read it; a
        ``Meta`` filled here cost about 2,500 instructions per request). ``client`` may be
        the request's ``Ingress``: ``meta.client`` is then made on first read."""
        self = _new(cls)
        self._routing = (
            request_id,
            method,
            path,
            route,
            handler_id,
            version,
            flags,
            client,
            trace_id,
            started_at,
        )
        self.current_phase = "routed"
        self.meta_if_made = None
        self.state_if_made = None
        self.extras_if_made = None
        self.hook_index = 0
        return self

    @property
    def meta(self) -> Meta:
        """The request's metadata (Property 27): made on first read, the same object after."""
        m = self.meta_if_made
        if m is None:
            m = self.meta_if_made = made_meta(self._routing, self.current_phase)
        return m

    @property
    def started_at(self) -> float:
        """When the request started (``meta.started_at``), read without making the ``Meta``."""
        m = self.meta_if_made
        return self._routing[9] if m is None else m.started_at

    # -- state -------------------------------------------------------------------------------
    @property
    def state(self) -> Any:
        """The request's state store (value semantics, docs/context.md)."""
        s = self.state_if_made
        if s is None:
            s = self.state_if_made = new_store()
        return s

    @property
    def extras(self) -> Extras:
        """The request's callback lists (made on first use)."""
        x = self.extras_if_made
        if x is None:
            x = self.extras_if_made = Extras()
        return x

    # -- phases ------------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        """The current phase."""
        return self.current_phase

    def set_phase(self, phase: str) -> None:
        """Move to ``phase``; ``ValueError`` if the move is not allowed (see docs/context.md)."""
        if not self.advance(phase) and phase != self.current_phase:
            raise ValueError(f"cannot move from phase {self.current_phase!r} to {phase!r}")

    def advance(self, phase: str) -> bool:
        """Move to ``phase`` if that is a legal move; return whether it moved."""
        old = self.current_phase
        if phase not in NEXT_PHASES[old]:
            if phase not in NEXT_PHASES:
                raise ValueError(f"unknown phase {phase!r}; phases are {tuple(NEXT_PHASES)}")
            return False
        self.current_phase = phase
        m = self.meta_if_made
        if m is not None:
            m._phase = phase
        x = self.extras_if_made
        if x is not None and x.phase_listeners:
            for fn in tuple(x.phase_listeners):
                try:
                    fn(old, phase)
                except Exception:
                    _log.exception("on_phase_change listener failed", extra=self.log_extra())
        return True

    def on_phase_change(self, fn: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
        """Call ``fn(old, new)`` on every phase transition."""
        self.extras.phase_listeners.append(fn)
        return fn

    # -- local hooks -------------------------------------------------------------------------
    def _local(
        self,
        kind: str,
        fn: Callable[..., Any],
        hid: str | None,
        timeout: float | None,
        retries: int,
        backoff: Backoff | float,
    ) -> Hook:
        chain: list[Hook] = getattr(self.extras, kind)
        if len(chain) >= MAX_LOCAL_HOOKS:
            raise HookError(f"more than {MAX_LOCAL_HOOKS} local {kind} hooks in one request")
        hook = Hook(
            fn, kind=kind, level="local", id=hid, timeout=timeout, retries=retries, backoff=backoff
        )
        chain.append(hook)
        return hook

    before = _local_adder("before", "Add a local before hook; it runs after the route's.")
    after = _local_adder("after", "Add a local after hook; local ones run first, last added first.")
    catch = _local_adder("catch", "Add a local catch hook ``(exc, req, res, lctx, gctx)``.")

    # -- end-of-request callbacks ------------------------------------------------------------
    def on_cleanup(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``fn()`` when the request ends, whatever happened; last registered first."""
        _check_callable(fn, "on_cleanup")
        self.extras.cleanup.append(fn)
        return fn

    def on_timeout(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``fn()`` if the handler times out (before cleanup)."""
        _check_callable(fn, "on_timeout")
        self.extras.on_timeout.append(fn)
        return fn

    def on_error(self, fn: Callable[[BaseException], Any]) -> Callable[[BaseException], Any]:
        """Run ``fn(exc)`` if the request fails (after the catch chain)."""
        _check_callable(fn, "on_error")
        self.extras.on_error.append(fn)
        return fn

    def compensate(self, action: Callable[[], Any]) -> Callable[[], Any]:
        """Undo step for this request: run last-first if the request fails."""
        _check_callable(action, "compensate")
        self.extras.compensations.append(action)
        return action

    def defer(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``fn(*args, **kwargs)`` after the response is sent (sync functions in a worker
        thread); unlike ``track``, it is not cancelled when the request ends. A failure is
        logged with the request id."""
        _check_callable(fn, "defer")
        self.extras.deferred.append((fn, args, kwargs))

    def track(self, awaitable: Awaitable[Any], name: str | None = None) -> asyncio.Future[Any]:
        """Run ``awaitable`` as an outstanding task of this request (cancelled at its end if
        still pending); snapshots record its status."""
        task = asyncio.ensure_future(awaitable)
        task.add_done_callback(_swallow)
        self.extras.tracked.append(Tracked(name, task, "pending"))
        return task

    # -- request-scoped events and logs ------------------------------------------------------
    def subscribe(self, topic: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``fn(payload)`` on this request's ``publish(topic, …)``; returns an unsubscriber."""
        _check_callable(fn, "subscribe")
        subs = self.extras.subscribers.setdefault(topic, [])
        subs.append(fn)

        def unsubscribe() -> None:
            if fn in subs:
                subs.remove(fn)

        return unsubscribe

    def publish(self, topic: str, payload: Any = None) -> None:
        """Deliver to this request's subscribers of ``topic`` (never another request's).

        Listeners run inline; one that returns an awaitable has it tracked; one that raises is
        logged and the rest still run.
        """
        x = self.extras
        x.trace.append(
            {
                "type": "publish",
                "ts_ns": time.time_ns(),
                "topic": topic,
                "payload": copy_value(payload),
            }
        )
        for fn in tuple(x.subscribers.get(topic, ())):
            try:
                r = fn(payload)
            except Exception:
                _log.exception("subscriber of %r failed", topic, extra=self.log_extra())
                continue
            if asyncio.isfuture(r) or asyncio.iscoroutine(r):
                self.track(r, name=f"subscriber:{topic}")

    def log(self, message: str, level: str = "info", **fields: Any) -> None:
        """A structured log line bound to this request; also kept in its trace."""
        if level not in _LEVELS:
            raise ValueError(f"level must be one of {tuple(_LEVELS)}")
        self.extras.trace.append(
            {
                "type": "log",
                "ts_ns": time.time_ns(),
                "level": level,
                "message": message,
                "fields": copy_value(fields),
            }
        )
        _log.log(_LEVELS[level], message, extra={**self.log_extra(), "fields": fields})

    def log_extra(self) -> dict[str, Any]:
        """The fields every log record about this request carries (``logging``'s ``extra``)."""
        m = self.meta
        return {"request_id": m.request_id, "handler_id": m.handler_id, "version": m.version}

    # -- snapshots ---------------------------------------------------------------------------
    def state_snapshot(self) -> Any:
        """The state store's O(1) snapshot now; None while the request never touched its
        state (the lifecycle's tracers get one at each hook boundary)."""
        s = self.state_if_made
        return None if s is None else s.snapshot()

    def snapshot(self) -> Snapshot:
        """An immutable record of this context now (isolated from later changes); O(1) in the
        state's size on the native backend."""
        m = self.meta_if_made
        if m is None:
            routing = self._routing
            request_id, version = routing[0], routing[5]
        else:
            request_id, version = m.request_id, m.version
        s = self.state_if_made
        x = self.extras_if_made
        if x is None:
            tracked: tuple[tuple[str | None, str], ...] = ()
            trace: tuple[Any, ...] = ()
        else:
            tracked = tuple((t.name, t.status) for t in x.tracked)
            trace = tuple(x.trace)
        return take_snapshot(
            _NO_STATE if s is None else s,
            request_id,
            self.current_phase,
            self.hook_index,
            version,
            tracked,
            trace,
        )

    @classmethod
    def restore(cls, snapshot: Snapshot, **meta: Any) -> LocalContext:
        """A new context with the snapshot's state, phase, outstanding-task records, hook
        position, version and trace; ``meta`` fills the other metadata fields.

        Without ``meta`` the context takes those fields from the snapshot on first use
        (``Restored``): restoring is then one small allocation (11,000 -> 1,600
        instructions), and a context restored only to be inspected later costs nothing more."""
        if meta or cls is not LocalContext:
            meta.setdefault("version", snapshot.handler_version)
            lctx = cls(snapshot.request_id, phase=snapshot.phase, **meta)
            _take_snapshot(lctx, snapshot)
            return lctx
        restored: Restored = Restored()
        restored.pending = snapshot
        return restored

    def __repr__(self) -> str:
        return f"LocalContext({self.meta!r})"


def _take_snapshot(lctx: LocalContext, snapshot: Snapshot) -> None:
    """Give ``lctx`` the snapshot's state, hook position, task records and trace."""
    lctx.state_if_made = snapshot.new_store()
    lctx.hook_index = snapshot.hook_index
    tracked, trace = snapshot.tracked, snapshot.trace
    if tracked or trace:
        x = lctx.extras
        x.tracked = [Tracked(n, None, s) for n, s in tracked]
        x.trace = list(trace)


def _filled_from_snapshot(name: str) -> Any:
    """A ``Restored`` field: the ``LocalContext`` slot ``name``, filled on first use."""
    slot = LocalContext.__dict__[name]  # the slot's member descriptor

    def get(self: Restored) -> Any:
        if self.pending is not None:
            self.materialise()
        return slot.__get__(self)

    def set_(self: Restored, value: Any) -> None:
        if self.pending is not None:
            self.materialise()
        slot.__set__(self, value)

    return property(get, set_, doc=f"``LocalContext.{name}``, taken from the snapshot first.")


class Restored(LocalContext):
    """A context made by ``LocalContext.restore(snapshot)``: it holds the snapshot and, on first
    use of any field, becomes the context the snapshot describes (``started_at`` is that
    moment). Every field then reads and writes as a ``LocalContext``'s, through a property."""

    __slots__ = ("pending",)
    __init__ = object.__init__  # made bare by ``restore``, which sets ``pending``
    pending: Snapshot | None

    meta_if_made = _filled_from_snapshot("meta_if_made")
    current_phase = _filled_from_snapshot("current_phase")
    _routing = _filled_from_snapshot("_routing")
    state_if_made = _filled_from_snapshot("state_if_made")
    hook_index = _filled_from_snapshot("hook_index")
    extras_if_made = _filled_from_snapshot("extras_if_made")

    def materialise(self) -> None:
        """Fill the context's fields from the snapshot (once)."""
        snapshot = self.pending
        if snapshot is None:
            return
        self.pending = None
        self._routing = (
            snapshot.request_id,
            *_DEFAULT_ROUTE,
            snapshot.handler_version,
            frozenset(),
            None,
            None,
            time.time(),
        )
        self.current_phase = snapshot.phase
        self.meta_if_made = None
        self.extras_if_made = None
        _take_snapshot(self, snapshot)
