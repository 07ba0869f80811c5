"""``lctx.meta``: what is known about a request (Property 27) and the phases it goes through."""

from __future__ import annotations

from typing import Any, Final, NamedTuple, Protocol

__all__ = ["NEXT_PHASES", "PHASES", "Client", "Meta", "Routing", "legal_transition", "made_meta"]

PHASES: Final = (
    "received",
    "routed",
    "authenticated",
    "validated",
    "processing",
    "responding",
    "completed",
    "error",
    "timeout",
)
_RANK: Final = {p: i for i, p in enumerate(PHASES[:7])}


def legal_transition(old: str, new: str) -> bool:
    """Main sequence forward only; ``error``/``timeout`` from any open phase; ``error`` may
    end ``completed`` (a catch hook handled it); ``completed`` and ``timeout`` are final."""
    if new not in PHASES:
        raise ValueError(f"unknown phase {new!r}; phases are {PHASES}")
    if old in ("completed", "timeout"):
        return False
    if old == "error":
        return new == "completed"
    if new in ("error", "timeout"):
        return True
    return _RANK[new] > _RANK[old]


NEXT_PHASES: Final = {
    old: frozenset(new for new in PHASES if new != old and legal_transition(old, new))
    for old in PHASES
}


class Client(NamedTuple):
    """The client as the app determined it (trusted proxies applied)."""

    ip: str | None
    user_agent: str | None


class Peer(Protocol):
    """Where a ``Client`` is read from on first use: the request's ``Ingress``."""

    client_ip: str | None
    user_agent: str | None


# Client(ip, ua) through its generated __new__ costs 0.2 µs; tuple.__new__ builds the same
# Client in half of that.
_new_tuple = tuple.__new__
_new = object.__new__


class Meta:
    """Request metadata; the app fills it at ingress, ``phase`` follows the lifecycle.

    ``made_meta`` is the one place that makes and fills a ``Meta``, when ``lctx.meta`` is
    first read; code after that sets ``principal`` (authentication) and moves ``phase``
    through ``lctx.set_phase`` (the context keeps the phase and mirrors it here).
    """

    __slots__ = (
        "_client",
        "_phase",
        "flags",
        "handler_id",
        "method",
        "path",
        "principal",
        "priority",
        "request_id",
        "route",
        "started_at",
        "trace_id",
        "version",
    )

    request_id: str
    method: str
    path: str
    route: str | None
    handler_id: str | None
    version: str | None
    flags: frozenset[str]
    priority: int
    _client: Client | Peer | None
    trace_id: str | None
    principal: Any
    started_at: float
    _phase: str

    @property
    def phase(self) -> str:
        """The current phase (change it through ``lctx.set_phase``)."""
        return self._phase

    @property
    def client(self) -> Client | None:
        """The client's address and user agent (trusted proxies applied). Made on first
        read: most requests never read it, and the tuple costs 1,600 instructions."""
        c = self._client
        if c is None or isinstance(c, Client):
            return c
        made: Client = _new_tuple(Client, (c.client_ip, c.user_agent))
        self._client = made
        return made

    def __repr__(self) -> str:
        return (
            f"Meta(request_id={self.request_id!r}, method={self.method!r}, path={self.path!r}, "
            f"handler_id={self.handler_id!r}, version={self.version!r}, phase={self._phase!r})"
        )


# What the app knows about a request once it is routed, in ``Meta``'s order: request id,
# method, path, route, handler id, version, flags, client (or the ``Peer`` it is read from),
# trace id, start time.
Routing = tuple[
    str,
    str,
    str,
    str | None,
    str | None,
    str | None,
    frozenset[str],
    Client | Peer | None,
    str | None,
    float,
]


def made_meta(routing: Routing, phase: str) -> Meta:
    """The ``Meta`` of a context routed with ``routing``, now in ``phase`` (priority 0, no
    principal). Its slots are written on a bare object: ``Meta(...)`` through
    ``type.__call__`` costs more."""
    m = _new(Meta)
    (
        m.request_id,
        m.method,
        m.path,
        m.route,
        m.handler_id,
        m.version,
        m.flags,
        m._client,
        m.trace_id,
        m.started_at,
    ) = routing
    m.priority = 0
    m.principal = None
    m._phase = phase
    return m
