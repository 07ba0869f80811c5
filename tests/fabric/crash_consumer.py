"""A consumer process for the crash test: records each handled payload in Redis and hangs on
the payload ``"hang"`` (after saying so on stdout) until it is killed."""

from __future__ import annotations

import asyncio
import sys

from gati.fabric import Message
from gati.fabric.redis import RedisFabric


async def main(url: str) -> None:
    fabric = RedisFabric(url, visibility_timeout=0.5, block_ms=20)

    async def handle(message: Message) -> None:
        if message.payload == "hang":
            print("hanging", flush=True)
            await asyncio.Event().wait()
        await fabric.redis.rpush("done", f"{message.payload}:{message.attempt}")

    await fabric.subscribe("work", handle, group="workers")
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
