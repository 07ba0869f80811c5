"""The fabric's contract: topics, messages, subscriptions and the ``Fabric`` base class.

A topic is declared with ``fabric.topic(name, schema=, maxlen=, policy=)`` or used undeclared
with the defaults. Each consumer group of a topic gets every message published after the group
was made; the consumers of one group share them; a subscriber without a group is a group of its
own. Delivery is at-least-once: a message is acknowledged only after its handler returned; a
handler that raises gets it again, up to ``max_attempts``, then it goes to ``<topic>.dead``.
Backends implement the abstract methods; docs/fabric.md states each failure case.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from gati.gtype.schema import Schema
from gati.gtype.validator import compile_schema
from gati.hook import Backoff, refused_arity

__all__ = [
    "DEAD_SUFFIX",
    "LOST",
    "POLICIES",
    "WAIT",
    "Fabric",
    "Handler",
    "Message",
    "Policy",
    "Settles",
    "Subscription",
    "Topic",
    "check_subscriber",
    "dead_letter",
]

Policy = Literal["block", "drop_oldest", "reject"]
POLICIES: Final = ("block", "drop_oldest", "reject")
DEAD_SUFFIX: Final = ".dead"
Handler = Callable[["Message"], Awaitable[Any] | Any]
_time = time.time
# What ``Fabric._offer`` returns when the publish has to go through ``_publish``.
WAIT: Final = object()
# The error recorded when a message's last attempt never finished (its consumer died).
LOST: Final = "ConsumerLost: the consumer stopped during the last attempt"


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic's settings: ``maxlen`` bounds each group's backlog; ``policy`` says what a
    publish does when it is full; ``publish_timeout`` bounds a blocked publish;
    ``dedupe_window`` is how long a ``dedupe_key`` is remembered (seconds)."""

    name: str
    schema: Schema | None = None
    maxlen: int = 10_000
    policy: Policy = "block"
    publish_timeout: float = 1.0
    dedupe_window: float = 300.0
    validate: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)
    retained: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"a topic name is a string, not {self.name!r}")
        object.__setattr__(self, "retained", self.name.endswith(DEAD_SUFFIX))
        if not self.name or any(c.isspace() for c in self.name):
            raise ValueError(f"a topic name must be non-empty without spaces: {self.name!r}")
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {self.policy!r}")
        if type(self.maxlen) is not int or self.maxlen < 1:
            raise ValueError(f"maxlen must be an int >= 1, not {self.maxlen!r}")
        seconds = (self.publish_timeout, self.dedupe_window)
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in seconds):
            raise TypeError("publish_timeout and dedupe_window are numbers of seconds")
        if not (self.publish_timeout >= 0 and self.dedupe_window > 0):
            raise ValueError("publish_timeout must be >= 0 and dedupe_window > 0")
        if self.schema is not None and self.validate is None:
            object.__setattr__(self, "validate", compile_schema(self.schema).validate)


@dataclass(slots=True)
class Message:
    """One delivery: ``payload`` plus ``headers`` (string metadata carried end to end, such as
    trace context), the 1-based ``attempt`` and the publish time."""

    id: str
    topic: str
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)
    attempt: int = 1
    priority: int = 0
    published_at: float = 0.0
    expires_at: float | None = None
    dedupe_key: str | None = None

    def expired(self, now: float | None = None) -> bool:
        """True when the message outlived its ``ttl``."""
        return self.expires_at is not None and (now or time.time()) >= self.expires_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "payload": self.payload,
            "headers": self.headers,
            "attempt": self.attempt,
            "priority": self.priority,
            "published_at": self.published_at,
            "expires_at": self.expires_at,
            "dedupe_key": self.dedupe_key,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})


class Subscription(abc.ABC):
    """A running subscriber; ``await sub.close()`` stops it (in-flight messages finish, or are
    handed back for redelivery when they do not finish within ``timeout``)."""

    def __init__(
        self, topic: str, group: str, fn: Handler, max_attempts: int, concurrency: int
    ) -> None:
        self.topic = topic
        self.group = group
        self.fn = fn
        self.max_attempts = max_attempts
        self.concurrency = concurrency

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called (backends set ``_closing``)."""
        return bool(getattr(self, "_closing", False))

    @abc.abstractmethod
    async def close(self, timeout: float = 5.0) -> None: ...


@dataclass(frozen=True, slots=True)
class Settles:
    """The entry a dead letter settles: ``group``'s delivery ``id`` of ``topic``."""

    topic: str
    group: str
    id: str


def check_subscriber(fn: Any) -> None:
    """Refuse, when subscribing, a handler that cannot take ``fn(message)`` (else each message
    would fail its every attempt and end in the dead letters)."""
    if not callable(fn):
        raise TypeError(f"subscribe() takes a callable fn(message), not {type(fn).__name__}")
    signature = refused_arity(fn, 1)
    if signature is not None:
        name = getattr(fn, "__qualname__", repr(fn))
        raise TypeError(
            f"subscriber {name}{signature} must accept one positional argument (message)"
        )


def dead_letter(message: Message, group: str, error: BaseException | str) -> dict[str, Any]:
    """The payload of a message's ``<topic>.dead`` entry."""
    if isinstance(error, BaseException):
        error = f"{type(error).__name__}: {error}"
    return {
        "topic": message.topic,
        "id": message.id,
        "group": group,
        "payload": message.payload,
        "headers": message.headers,
        "attempts": message.attempt,
        "error": error,
    }


class Fabric(abc.ABC):
    """Publish/subscribe with consumer groups, at-least-once delivery and bounded queues."""

    retry_backoff: Backoff = Backoff(base=0.01, factor=2.0, cap=1.0)

    def __init__(self) -> None:
        self._topics: dict[str, Topic] = {}
        # gati.telemetry's spans around publishes and deliveries; None: no tracing, no cost
        self.tracer: Any = None

    def topic(
        self,
        name: str,
        *,
        schema: Schema | None = None,
        maxlen: int = 10_000,
        policy: Policy = "block",
        publish_timeout: float = 1.0,
        dedupe_window: float = 300.0,
    ) -> Topic:
        """Declare (or redeclare) ``name``'s settings; returns them."""
        spec = Topic(name, schema, maxlen, policy, publish_timeout, dedupe_window)
        self._topics[name] = spec
        return spec

    def spec(self, name: str) -> Topic:
        """The settings of ``name`` (the defaults when it was never declared; dead-letter
        topics drop their oldest entries rather than block a consumer)."""
        spec = self._topics.get(name)
        if spec is None:
            policy: Policy = "drop_oldest" if name.endswith(DEAD_SUFFIX) else "block"
            spec = self._topics[name] = Topic(name, policy=policy)
        return spec

    async def publish(
        self,
        topic: str,
        payload: Any = None,
        *,
        priority: int = 0,
        ttl: float | None = None,
        dedupe_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> str | None:
        """Publish ``payload``; returns its id, or None when ``dedupe_key`` was seen within the
        topic's window. ``ttl`` (seconds) drops it undelivered once passed; ``timeout``
        overrides the topic's ``publish_timeout`` under the ``block`` policy. Raises
        ``ValidationError`` (topic schema) or ``BackpressureError`` (queue full)."""
        spec = self._topics.get(topic) or self.spec(topic)
        if spec.validate is not None:
            payload = spec.validate(payload)
        now = _time()
        if ttl is not None:
            if not ttl > 0:
                raise ValueError(f"ttl must be > 0 seconds, not {ttl!r}")
            ttl += now
        message = Message(
            "", topic, payload, dict(headers) if headers else {}, 1, priority, now, ttl, dedupe_key
        )
        tracer = self.tracer
        span = None if tracer is None else tracer.produce(message)  # writes traceparent
        try:
            offered = self._offer(spec, message)
            if offered is WAIT:
                wait = spec.publish_timeout if timeout is None else timeout
                offered = await self._publish(spec, message, wait, None)
        except BaseException as exc:
            if span is not None:
                tracer.failed(span, exc)
            raise
        if span is not None:
            span.end()
        return offered  # type: ignore[return-value]

    async def subscribe(
        self,
        topic: str,
        fn: Handler,
        *,
        group: str | None = None,
        max_attempts: int = 5,
        concurrency: int = 1,
    ) -> Subscription:
        """Call ``fn(message)`` for each message of ``topic`` published from now on. With
        ``group``, subscribers of the same group share the messages; without, this subscriber
        gets every message. Returns once the subscription is live."""
        check_subscriber(fn)
        if max_attempts < 1 or concurrency < 1:
            raise ValueError("max_attempts and concurrency must be >= 1")
        if group is not None and (not group or group.startswith("~")):
            raise ValueError(f"a group name must be non-empty and not start with '~': {group!r}")
        tracer = self.tracer
        if tracer is None:
            return await self._subscribe(self.spec(topic), fn, group, max_attempts, concurrency)
        traced = tracer.consume(topic, fn)
        sub = await self._subscribe(self.spec(topic), traced, group, max_attempts, concurrency)
        tracer.watch(self, sub)
        return sub

    async def _dead(self, message: Message, group: str, error: BaseException | str) -> None:
        """Move ``message`` to ``<topic>.dead`` for ``group`` (its last error). The dead letter
        settles ``group``'s entry of ``message``: a backend whose consumers can race for it
        acknowledges the entry in the same step, or drops the dead letter if it was settled."""
        spec = self.spec(message.topic + DEAD_SUFFIX)
        payload = dead_letter(message, group, error)
        dead = Message("", spec.name, payload, dict(message.headers), 1, 0, _time())
        # the span as ``publish`` makes it (sharing a coroutine would cost every publish a
        # frame, about 1,100 instructions)
        tracer = self.tracer
        span = None if tracer is None else tracer.produce(dead)  # writes traceparent
        try:  # straight to ``_publish``, where the entry is settled (not ``_offer``)
            settles = Settles(message.topic, group, message.id)
            await self._publish(spec, dead, spec.publish_timeout, settles)
        except BaseException as exc:
            if span is not None:
                tracer.failed(span, exc)
            raise
        if span is not None:
            span.end()

    async def dead_letters(self, topic: str, limit: int = 100) -> list[Message]:
        """The most recent ``<topic>.dead`` entries, oldest first."""
        return await self._recent(topic + DEAD_SUFFIX, limit)

    def _offer(self, spec: Topic, message: Message) -> str | object | None:
        """Publish at once when the backend can (no I/O, no wait); ``WAIT`` sends the publish
        through ``_publish``."""
        return WAIT

    @abc.abstractmethod
    async def _publish(
        self, spec: Topic, message: Message, timeout: float, settles: Settles | None
    ) -> str | None:
        """Publish ``message``, waiting up to ``timeout`` for room; ``settles`` names the entry
        a dead letter settles (None for every other publish)."""

    @abc.abstractmethod
    async def _subscribe(
        self, spec: Topic, fn: Handler, group: str | None, max_attempts: int, concurrency: int
    ) -> Subscription: ...

    @abc.abstractmethod
    async def _recent(self, topic: str, limit: int) -> list[Message]: ...

    @abc.abstractmethod
    async def depth(self, topic: str, group: str) -> int:
        """Messages of ``topic`` that ``group`` has not acknowledged yet."""

    async def start(self) -> None:  # noqa: B027 - optional: a backend may connect lazily
        """Connect (called at app start-up; publish and subscribe also connect on first use)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop every subscription and release connections."""

    async def health(self) -> str:
        """``healthy`` when the backend answers."""
        return "healthy"
