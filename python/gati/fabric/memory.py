"""``MemoryFabric``: the fabric inside one process (the default).

Each consumer group holds a bounded queue of undelivered messages, ordered by priority then
publish order. A publish that finds a group's queue full applies the topic's policy to that
topic only; other topics never wait for it. A message whose consumer task is cancelled mid-
attempt goes back to the front of its group's queue (the attempt counts). Nothing survives
the process: use ``RedisFabric`` for that.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import inspect
import itertools
import uuid
from collections import OrderedDict, deque
from typing import Final

from gati.fabric.api import (
    LOST,
    WAIT,
    Fabric,
    Handler,
    Message,
    Settles,
    Subscription,
    Topic,
)
from gati.fabric.errors import BackpressureError

__all__ = ["MemoryFabric"]

MAX_DEDUPE_KEYS: Final = 100_000
_isawaitable = inspect.isawaitable


class _Queue:
    """Undelivered messages: one FIFO band per priority, highest band first."""

    __slots__ = ("bands", "order", "size")

    def __init__(self) -> None:
        self.bands: dict[int, deque[Message]] = {}
        self.order: list[int] = []  # negated priorities, ascending
        self.size = 0

    def put(self, message: Message, *, front: bool = False) -> None:
        band = self.bands.get(message.priority)
        if band is None:
            band = self.bands[message.priority] = deque()
            bisect.insort(self.order, -message.priority)
        if front:
            band.appendleft(message)
        else:
            band.append(message)
        self.size += 1

    def pop(self) -> Message:
        if len(self.order) == 1:  # one priority in use (the common case)
            self.size -= 1
            return self.bands[-self.order[0]].popleft()
        for p in self.order:
            band = self.bands[-p]
            if band:
                self.size -= 1
                return band.popleft()
        raise IndexError("empty queue")

    def drop_oldest(self) -> None:
        heads = [band for band in self.bands.values() if band]
        oldest = min(heads, key=lambda band: int(band[0].id))  # ids count up
        oldest.popleft()
        self.size -= 1


class _Group:
    """One consumer group of one topic."""

    __slots__ = ("consumers", "in_flight", "name", "queue", "ready", "room")

    def __init__(self, name: str) -> None:
        self.name = name
        self.queue = _Queue()
        self.ready: deque[asyncio.Future[None]] = deque()  # idle consumers
        self.room: deque[asyncio.Future[None]] = deque()  # blocked publishers
        self.consumers = 0
        self.in_flight = 0

    def put(self, message: Message, *, front: bool = False) -> None:
        self.queue.put(message, front=front)
        _wake(self.ready)


def _wake(waiters: deque[asyncio.Future[None]]) -> None:
    while waiters:
        fut = waiters.popleft()
        if not fut.done():
            fut.set_result(None)
            return


def _copy(message: Message) -> Message:
    return Message(
        message.id,
        message.topic,
        message.payload,
        message.headers,
        message.attempt,
        message.priority,
        message.published_at,
        message.expires_at,
        message.dedupe_key,
    )


class MemorySubscription(Subscription):
    def __init__(
        self,
        fabric: MemoryFabric,
        spec: Topic,
        group: _Group,
        fn: Handler,
        max_attempts: int,
        concurrency: int,
        exclusive: bool,
    ) -> None:
        super().__init__(spec.name, group.name, fn, max_attempts, concurrency)
        self._fabric = fabric
        self._group = group
        self._exclusive = exclusive
        self._closing = False
        self._idle: set[asyncio.Future[None]] = set()
        group.consumers += 1
        self._tasks = [asyncio.ensure_future(self._work()) for _ in range(concurrency)]

    async def _work(self) -> None:
        group, queue, fn = self._group, self._group.queue, self.fn
        is_coroutine = inspect.iscoroutinefunction(fn)
        streak = 0
        while not self._closing:
            if not queue.size:
                fut = asyncio.get_running_loop().create_future()
                group.ready.append(fut)
                self._idle.add(fut)
                try:
                    await fut
                finally:
                    self._idle.discard(fut)
                streak = 0
                continue
            message = queue.pop()
            if group.room:
                _wake(group.room)
            if message.expires_at is not None and message.expired():
                continue
            group.in_flight += 1
            try:  # the first attempt inline; failures and redeliveries take _settle
                if message.attempt > self.max_attempts:
                    await self._fabric._dead(message, self.group, LOST)
                elif is_coroutine:
                    await fn(message)
                else:
                    r = fn(message)
                    if r is not None and _isawaitable(r):
                        await r
            except asyncio.CancelledError:
                self._hand_back(message)
                raise
            except Exception as exc:
                await self._settle(message, exc)
            finally:
                group.in_flight -= 1
            streak += 1
            if streak == 64:  # a consumer with a full queue still lets others run
                streak = 0
                await asyncio.sleep(0)

    def _hand_back(self, message: Message) -> None:
        """The consumer stopped mid-attempt: the attempt counts, the message goes back."""
        message = _copy(message)
        message.attempt += 1
        self._group.put(message, front=True)

    async def _settle(self, message: Message, failure: Exception) -> None:
        """Retry a failed message after backoff until it succeeds or is dead-lettered. The
        retries use this group's own copy: the first delivery is shared by every group."""
        fabric = self._fabric
        message = _copy(message)
        while True:
            if message.attempt >= self.max_attempts:
                await fabric._dead(message, self.group, failure)
                return
            try:
                await asyncio.sleep(fabric.retry_backoff.delay(message.attempt))
                message.attempt += 1
                r = self.fn(message)
                if _isawaitable(r):
                    await r
                return
            except asyncio.CancelledError:
                self._hand_back(message)
                raise
            except Exception as exc:
                failure = exc

    async def close(self, timeout: float = 5.0) -> None:
        if self._closing:
            return
        self._closing = True
        for fut in tuple(self._idle):
            if not fut.done():
                fut.cancel()
        _, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._group.consumers -= 1
        self._fabric._subs.discard(self)
        if self._exclusive:
            self._fabric._drop_group(self.topic, self.group)


class MemoryFabric(Fabric):
    """The in-process fabric; see the module docstring for its semantics."""

    def __init__(self) -> None:
        super().__init__()
        self._groups: dict[str, dict[str, _Group]] = {}
        self._dedupe: dict[str, OrderedDict[str, float]] = {}
        self._retained: dict[str, deque[Message]] = {}
        self._ids = itertools.count(1)
        self._subs: set[MemorySubscription] = set()

    def _offer(self, spec: Topic, message: Message) -> str | object | None:
        """Publish without waiting; ``WAIT`` when a group is full under ``block``/``reject``.
        Saves the publish path a coroutine frame (``_publish`` handles the waiting)."""
        key = message.dedupe_key
        if key is not None and self._seen(spec, key, message.published_at):
            return None
        groups = self._groups.get(spec.name)
        if groups:
            maxlen = spec.maxlen
            for group in groups.values():
                if group.queue.size >= maxlen:
                    if spec.policy != "drop_oldest":
                        return WAIT
                    while group.queue.size >= maxlen:
                        group.queue.drop_oldest()
        message.id = mid = str(next(self._ids))
        if key is not None:
            self._remember(spec, key, message.published_at)
        if groups:
            priority = message.priority
            for group in groups.values():  # one object for every group's first delivery
                queue = group.queue
                band = queue.bands.get(priority)
                if band is None:
                    queue.put(message)
                else:  # Queue.put inlined: the common case costs two calls less
                    band.append(message)
                    queue.size += 1
                if group.ready:
                    _wake(group.ready)
        if spec.retained:
            kept = self._retained.setdefault(spec.name, deque(maxlen=spec.maxlen))
            kept.append(message)
        return mid

    async def _publish(
        self, spec: Topic, message: Message, timeout: float, settles: Settles | None
    ) -> str | None:
        """A group is full: reject, or wait for room (each time the dedupe key and every
        group are checked again) until ``timeout``. (``settles`` needs nothing here: one
        consumer holds a delivery at a time, and its queue forgot the entry when it took it.)"""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            offered = self._offer(spec, message)
            if offered is not WAIT:
                return offered  # type: ignore[return-value]
            full = next(g for g in self._groups[spec.name].values() if g.queue.size >= spec.maxlen)
            if spec.policy == "reject":
                raise BackpressureError(spec.name, f"group {full.name!r} has {spec.maxlen} queued")
            left = deadline - loop.time()
            if left <= 0:
                raise BackpressureError(
                    spec.name,
                    f"group {full.name!r} stayed full ({spec.maxlen}) for {timeout} s",
                    retry_after=timeout,
                )
            fut = loop.create_future()
            full.room.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, left)

    def _seen(self, spec: Topic, key: str, now: float) -> bool:
        keys = self._dedupe.get(spec.name)
        if not keys:
            return False
        while keys:
            first, until = next(iter(keys.items()))
            if until > now:
                break
            del keys[first]
        expiry = keys.get(key)
        return expiry is not None and expiry > now

    def _remember(self, spec: Topic, key: str, now: float) -> None:
        keys = self._dedupe.setdefault(spec.name, OrderedDict())
        keys[key] = now + spec.dedupe_window
        keys.move_to_end(key)
        if len(keys) > MAX_DEDUPE_KEYS:
            keys.popitem(last=False)

    async def _subscribe(
        self, spec: Topic, fn: Handler, group: str | None, max_attempts: int, concurrency: int
    ) -> Subscription:
        exclusive = group is None
        name = f"~{uuid.uuid4().hex}" if group is None else group
        groups = self._groups.setdefault(spec.name, {})
        g = groups.get(name)
        if g is None:
            g = groups[name] = _Group(name)
        sub = MemorySubscription(self, spec, g, fn, max_attempts, concurrency, exclusive)
        self._subs.add(sub)
        return sub

    def _drop_group(self, topic: str, group: str) -> None:
        groups = self._groups.get(topic, {})
        g = groups.pop(group, None)
        if g is not None:
            for fut in g.room:  # publishers waiting for this group's room may go on
                if not fut.done():
                    fut.set_result(None)

    async def _recent(self, topic: str, limit: int) -> list[Message]:
        kept = self._retained.get(topic, ())
        return list(kept)[-limit:] if limit > 0 else []

    async def depth(self, topic: str, group: str) -> int:
        g = self._groups.get(topic, {}).get(group)
        return 0 if g is None else g.queue.size + g.in_flight

    async def close(self) -> None:
        subs, self._subs = self._subs, set()
        await asyncio.gather(*(sub.close() for sub in subs))
