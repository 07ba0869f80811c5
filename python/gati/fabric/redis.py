"""``RedisFabric``: the fabric on Redis Streams, shared by every worker and host.

One stream per topic (``<prefix><topic>``), one Redis consumer group per fabric group, one
Redis consumer per subscriber task. Messages are read with ``XREADGROUP``, acknowledged with
``XACK`` after the handler returned (one ``XACK`` per fetched batch), retried in place after a
failure (``XCLAIM`` to itself, so Redis counts every attempt), and taken over with
``XAUTOCLAIM`` by any consumer of the group once pending longer than ``visibility_timeout``
(its consumer died). A publish under ``block``/``reject`` is one Lua script: below ``maxlen``
entries it is ``XLEN`` + ``XADD``; at ``maxlen`` it checks every group's backlog (pending + lag)
and trims the entries every group has acknowledged. ``drop_oldest`` is ``XADD … MAXLEN ~``.

A consumer stalled past the visibility timeout (a blocked loop, a long pause) loses its lease:
another consumer takes the entry over, and the stalled attempt may still finish. Only the
consumer holding an entry retries it or keeps it claimed; a dead letter is published only while
its entry is still pending and acknowledges it in the same script; a success acknowledges
whatever holds the lease and withdraws the dead letter that settled its entry in the meantime.
So a message ends acknowledged or dead-lettered, never both.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import socket
import uuid
from typing import Any, Final

import orjson

from gati.fabric.api import (
    DEAD_SUFFIX,
    LOST,
    Fabric,
    Handler,
    Message,
    Settles,
    Subscription,
    Topic,
)
from gati.fabric.errors import BackpressureError
from gati.hook import Backoff

__all__ = ["RedisFabric"]

_isawaitable = inspect.isawaitable
_log = logging.getLogger("gati.fabric")
RECONNECT: Final = Backoff(base=0.05, factor=2.0, cap=1.0)
_FIELD: Final = b"m"

# KEYS: stream, dedupe key or "" (a dead letter: its entry's marker), the dead letter's entry's
# stream or "". ARGV: maxlen, dedupe window ms, encoded message, "check" to apply the backlog
# bound; a dead letter's group and entry id. Returns the new id, "dup", {"full", group}, or
# "settled" (the dead letter's entry is no longer pending: nothing published).
_PUBLISH: Final = """
local function older(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
if KEYS[3] ~= '' and #redis.call('XPENDING', KEYS[3], ARGV[5], ARGV[6], ARGV[6], 1) == 0 then
  return 'settled'
end
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 'dup' end
local maxlen = tonumber(ARGV[1])
local id
if ARGV[4] ~= 'check' then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'm', ARGV[3])
else
  -- A group's backlog (pending + lag) never exceeds the stream's length: below maxlen entries
  -- nothing can be full, and one XLEN is the whole check.
  local len = redis.call('XLEN', KEYS[1])
  if len >= maxlen then
    local floor = nil
    for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
      local info = {}
      for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
      local lag = info['lag']
      if not lag then lag = len end
      if info['pending'] + lag >= maxlen then return {'full', info['name']} end
      local oldest = info['last-delivered-id']
      if info['pending'] > 0 then oldest = redis.call('XPENDING', KEYS[1], info['name'])[2] end
      if floor == nil or older(oldest, floor) then floor = oldest end
    end
    if floor == nil then  -- no group: nobody will read the old entries
      redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', maxlen)
    else  -- drop what every group has acknowledged
      redis.call('XTRIM', KEYS[1], 'MINID', floor)
    end
  end
  id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[3])
end
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], id, 'PX', ARGV[2]) end
if KEYS[3] ~= '' then redis.call('XACK', KEYS[3], ARGV[5], ARGV[6]) end
return id
"""

# A success. KEYS: stream, its dead-letter stream, each entry's marker. ARGV: group, the ids.
# An entry that was no longer pending was settled by another consumer: if by a dead letter
# (its marker names it), the success supersedes it.
_ACK: Final = """
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 0 then
    local dead = redis.call('GET', KEYS[i + 1])
    if dead then
      redis.call('XDEL', KEYS[2], dead)
      redis.call('DEL', KEYS[i + 1])
    end
  end
end
"""

# KEYS: stream. ARGV: group, consumer, id, "justid" to only restart the idle time. Claims the
# entry only while ``consumer`` holds it; returns its delivery count after the claim, or nil.
_CLAIM: Final = """
local held = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)[1]
if not held or held[2] ~= ARGV[2] then return nil end
if ARGV[4] == 'justid' then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
  return held[4]
end
if #redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3]) == 0 then return nil end
return held[4] + 1
"""


def _encode(message: Message) -> bytes:
    return orjson.dumps(
        (
            message.payload,
            message.headers,
            message.published_at,
            message.expires_at,
            message.dedupe_key,
        )
    )


def _decode(topic: str, mid: bytes, fields: dict[bytes, bytes], attempt: int) -> Message:
    payload, headers, published_at, expires_at, dedupe_key = orjson.loads(fields[_FIELD])
    return Message(
        mid.decode(), topic, payload, headers, attempt, 0, published_at, expires_at, dedupe_key
    )


class RedisSubscription(Subscription):
    def __init__(
        self,
        fabric: RedisFabric,
        spec: Topic,
        group: str,
        fn: Handler,
        max_attempts: int,
        concurrency: int,
        exclusive: bool,
    ) -> None:
        super().__init__(spec.name, group, fn, max_attempts, concurrency)
        self._fabric = fabric
        self._redis = fabric.redis
        self._key = fabric.key(spec.name)
        self._exclusive = exclusive
        self._closing = False
        self._reading: set[asyncio.Task[Any]] = set()
        base = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._tasks = [asyncio.ensure_future(self._work(f"{base}-{i}")) for i in range(concurrency)]

    async def _work(self, consumer: str) -> None:
        """Consume until closed; a Redis failure is logged and retried with backoff (the
        entries this consumer did not acknowledge are redelivered)."""
        failures = 0
        while not self._closing:
            try:
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                _log.error("fabric consumer %s on %s: %s", consumer, self.topic, exc)
                await asyncio.sleep(RECONNECT.delay(failures))
                if "NOGROUP" in str(exc):  # Redis lost its data (a restart without persistence)
                    with contextlib.suppress(Exception):
                        await self._fabric._create_group(self._key, self.group)

    async def _consume(self, consumer: str) -> None:
        fabric, redis, key, group = self._fabric, self._redis, self._key, self.group
        idle_ms = int(fabric.visibility_timeout * 1000)
        # With several tasks, each takes one entry at a time: a batch held by one busy task
        # would wait while the others idle.
        count = fabric.batch if self.concurrency == 1 else 1
        loop = asyncio.get_running_loop()
        next_claim = loop.time() + fabric.visibility_timeout / 2
        renew = fabric.visibility_timeout / 3
        while not self._closing:
            if loop.time() >= next_claim:
                next_claim = loop.time() + fabric.visibility_timeout / 2
                await self._reclaim(consumer, idle_ms)
                continue
            task = asyncio.current_task()
            assert task is not None
            self._reading.add(task)
            read_at = loop.time()
            try:
                reply = await redis.xreadgroup(
                    group, consumer, {key: ">"}, count=count, block=fabric.block_ms
                )
            finally:
                self._reading.discard(task)
            if not reply:
                continue
            done = []
            try:
                for mid, fields in reply[0][1]:
                    # An entry that waited its turn as long as a heartbeat's period may have
                    # been taken over (this consumer stalled): renewed first, skipped if it was.
                    if (
                        loop.time() - read_at >= renew
                        and await self._claim(consumer, mid, True) is None
                    ):
                        continue
                    message = _decode(self.topic, mid, fields, 1)
                    if await self._handle(consumer, message):
                        done.append(mid)
            finally:  # also when stopped mid-batch: what was handled stays handled
                if done:
                    await self._ack(done)

    async def _reclaim(self, consumer: str, idle_ms: int) -> None:
        """Take over entries pending longer than the visibility timeout (a dead or stalled
        consumer's); one settled or taken over again since is left alone."""
        redis, key, group = self._redis, self._key, self.group
        start = "0-0"
        while not self._closing:
            start, entries, *_ = await redis.xautoclaim(
                key, group, consumer, idle_ms, start_id=start, count=self._fabric.batch
            )
            for mid, fields in entries:
                if fields is None:
                    continue
                info = await redis.xpending_range(key, group, mid, mid, 1)
                if not info or info[0]["consumer"].decode() != consumer:
                    continue
                message = _decode(self.topic, mid, fields, info[0]["times_delivered"])
                if await self._handle(consumer, message):
                    await self._ack([mid])
            if start in (b"0-0", "0-0"):
                return

    async def _handle(self, consumer: str, message: Message) -> bool:
        """Run the handler until it succeeds (True: acknowledge) or the message is
        dead-lettered (which acknowledges it). False also when another consumer took the entry
        over (this one stalled past the visibility timeout) or it vanished (trimmed)."""
        fabric = self._fabric
        if message.expired():
            return True
        if message.attempt > self.max_attempts:
            await fabric._dead(message, self.group, LOST)
            return False
        while True:
            try:
                await self._run(consumer, message)
                return True
            except Exception as exc:
                if message.attempt >= self.max_attempts:
                    await fabric._dead(message, self.group, exc)
                    return False
                await asyncio.sleep(fabric.retry_backoff.delay(message.attempt))
                attempt = await self._claim(consumer, message.id)
                if attempt is None:
                    return False
                message.attempt = attempt

    async def _claim(self, consumer: str, mid: Any, justid: bool = False) -> int | None:
        """Claim ``mid`` again while ``consumer`` holds it: its delivery count (an attempt more
        unless ``justid``), or None when it was taken over or settled."""
        flag = "justid" if justid else ""
        attempt = await self._fabric._claim_script(
            keys=[self._key], args=[self.group, consumer, mid, flag]
        )
        return None if attempt is None else int(attempt)

    async def _ack(self, ids: list[Any]) -> None:
        """Acknowledge handled entries (see ``_ACK``: a success supersedes a dead letter)."""
        fabric = self._fabric
        markers = [fabric.marker(self.topic, self.group, mid) for mid in ids]
        await fabric._ack_script(
            keys=[self._key, fabric.key(self.topic + DEAD_SUFFIX), *markers],
            args=[self.group, *ids],
        )

    async def _run(self, consumer: str, message: Message) -> None:
        """Run the handler; one running longer than a third of the visibility timeout keeps
        its entry claimed (``XCLAIM … JUSTID`` resets the idle time without counting an
        attempt), so no other consumer takes it over while it is alive."""
        beat: list[asyncio.Task[None]] = []
        period = self._fabric.visibility_timeout / 3
        timer = asyncio.get_running_loop().call_later(
            period,
            lambda: beat.append(asyncio.ensure_future(self._beat(consumer, message, period))),
        )
        try:
            r = self.fn(message)
            if _isawaitable(r):
                await r
        finally:
            timer.cancel()
            for task in beat:
                task.cancel()

    async def _beat(self, consumer: str, message: Message, period: float) -> None:
        while True:
            with contextlib.suppress(Exception):  # a lost beat only risks a duplicate
                await self._claim(consumer, message.id, True)
            await asyncio.sleep(period)

    async def close(self, timeout: float = 5.0) -> None:
        if self._closing:
            return
        self._closing = True
        for task in tuple(self._reading):
            task.cancel()
        _, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._fabric._subs.discard(self)
        if self._exclusive:
            with contextlib.suppress(Exception):
                await self._redis.xgroup_destroy(self._key, self.group)


class RedisFabric(Fabric):
    """The fabric on Redis Streams at ``url`` (or an existing ``redis.asyncio`` client).

    ``visibility_timeout``: seconds an entry may stay pending before another consumer of its
    group takes it over (longer than your slowest handler); ``batch``: entries per read;
    ``block_ms``: how long one read waits for new entries.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        client: Any = None,
        prefix: str = "gati:fabric:",
        visibility_timeout: float = 30.0,
        batch: int = 32,
        block_ms: int = 500,
    ) -> None:
        super().__init__()
        if client is None:
            try:
                import redis.asyncio as aioredis
            except ImportError as exc:  # pragma: no cover - depends on the installed extras
                raise ImportError("RedisFabric needs redis: pip install 'gati[redis]'") from exc
            client = aioredis.Redis.from_url(url)
        if not visibility_timeout > 0 or batch < 1 or block_ms < 1:
            raise ValueError("visibility_timeout > 0, batch >= 1 and block_ms >= 1 are required")
        self.redis = client
        self.prefix = prefix
        self.visibility_timeout = visibility_timeout
        self.batch = batch
        self.block_ms = block_ms
        self._script = client.register_script(_PUBLISH)
        self._ack_script = client.register_script(_ACK)
        self._claim_script = client.register_script(_CLAIM)
        self._subs: set[RedisSubscription] = set()

    def key(self, topic: str) -> str:
        return self.prefix + topic

    def marker(self, topic: str, group: str, mid: Any) -> str:
        """The key naming the dead letter that settled ``topic``'s entry ``mid`` for
        ``group``; kept for the dead-letter topic's ``dedupe_window``."""
        if isinstance(mid, bytes):
            mid = mid.decode()
        return self.key(f"{topic}{DEAD_SUFFIX}:settled:{group}:{mid}")

    async def _publish(
        self, spec: Topic, message: Message, timeout: float, settles: Settles | None
    ) -> str | None:
        """One script call per try (``_PUBLISH``); a dead letter acknowledges the entry it
        settles in that call, and is dropped if that entry was settled already (a stalled
        consumer's late attempt and the consumer that took its entry over cannot both settle
        it)."""
        if message.priority:
            raise ValueError("RedisFabric delivers in publish order: priority must be 0")
        key = self.key(spec.name)
        try:
            data = _encode(message)
        except orjson.JSONEncodeError as exc:
            raise TypeError(f"topic {spec.name!r}: the payload is not JSON: {exc}") from None
        if spec.policy == "drop_oldest" and message.dedupe_key is None and settles is None:
            mid = await self.redis.xadd(key, {_FIELD: data}, maxlen=spec.maxlen, approximate=True)
            message.id = mid.decode()
            return message.id
        stream = group = entry = dedupe = ""
        if settles is not None:
            stream, group, entry = self.key(settles.topic), settles.group, settles.id
            dedupe = self.marker(settles.topic, group, entry)
        elif message.dedupe_key is not None:
            dedupe = self.key(f"{spec.name}:dedupe:{message.dedupe_key}")
        check = "" if spec.policy == "drop_oldest" else "check"
        keys = [key, dedupe, stream]
        args = [spec.maxlen, int(spec.dedupe_window * 1000), data, check, group, entry]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = 0.001
        while True:
            reply = await self._script(keys=keys, args=args)
            if reply in (b"dup", b"settled"):
                return None
            if not isinstance(reply, list):
                message.id = reply.decode()
                return message.id
            group = reply[1].decode()
            if spec.policy != "block" or loop.time() >= deadline:
                raise BackpressureError(
                    spec.name,
                    f"group {group!r} has {spec.maxlen} unacknowledged",
                    retry_after=max(timeout, 1.0),
                )
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, 0.05)

    async def _subscribe(
        self, spec: Topic, fn: Handler, group: str | None, max_attempts: int, concurrency: int
    ) -> Subscription:
        exclusive = group is None
        name = f"~{uuid.uuid4().hex}" if group is None else group
        await self._create_group(self.key(spec.name), name)
        sub = RedisSubscription(self, spec, name, fn, max_attempts, concurrency, exclusive)
        self._subs.add(sub)
        return sub

    async def _create_group(self, key: str, group: str) -> None:
        """Create ``group`` at the stream's end (and the stream), unless it exists."""
        try:
            await self.redis.xgroup_create(key, group, id="$", mkstream=True)
        except Exception as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _recent(self, topic: str, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        entries = await self.redis.xrevrange(self.key(topic), count=limit)
        return [_decode(topic, mid, fields, 1) for mid, fields in reversed(entries)]

    async def depth(self, topic: str, group: str) -> int:
        key = self.key(topic)
        for info in await self.redis.xinfo_groups(key):
            if info["name"].decode() == group:
                lag = info.get("lag")
                if lag is None:
                    lag = await self.redis.xlen(key)
                return int(info["pending"]) + int(lag)
        return 0

    async def close(self) -> None:
        subs, self._subs = self._subs, set()
        await asyncio.gather(*(sub.close() for sub in subs))
        await self.redis.aclose()

    async def health(self) -> str:
        try:
            await asyncio.wait_for(self.redis.ping(), 2.0)
        except Exception:
            return "unhealthy"
        return "healthy"
