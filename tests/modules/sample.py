"""Sample modules for the tests: a users module (run in-process, or as a process with
``python -m tests.modules.sample users``) and a few misbehaving variants."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from gati import gt
from gati.modules import Method, ModuleManifest, serve

User = gt.object({"id": gt.integer(), "name": gt.string(), "tags": gt.array(gt.string())})

USERS = ModuleManifest(
    "users",
    version="1.0.0",
    runtime="process",
    capabilities=["pubsub:publish", "modules:call:clock"],
    methods={
        "find_user": Method(
            input=gt.object({"id": gt.integer(min=1)}),
            output=gt.union(User, gt.null()),
            timeout=2.0,
            idempotent=True,
            retries=3,
        ),
        "rename": Method(
            input=gt.object({"id": gt.integer(), "name": gt.string(min_length=1)}),
            output=User,
        ),
        "echo": Method(input=gt.object({"value": gt.any()}), output=gt.any(), retries=2),
        "fail": Method(input=gt.object({"code": gt.integer()}), output=gt.null(), retries=3),
        "sleep": Method(input=gt.object({"seconds": gt.number()}), output=gt.null(), timeout=0.2),
        "bad_output": Method(input=gt.object({}), output=gt.integer()),
        "pid": Method(input=gt.object({}), output=gt.integer()),
        "announce": Method(input=gt.object({"text": gt.string()}), output=gt.any()),
        "now": Method(input=gt.object({}), output=gt.any()),
        "garble": Method(input=gt.object({}), output=gt.null()),
        "secret": Method(input=gt.object({}), output=gt.any()),
        "raw_secret": Method(input=gt.object({}), output=gt.any()),
        "headers": Method(input=gt.object({}), output=gt.any()),
    },
)


def process_manifest(module_id: str) -> ModuleManifest:
    """The users contract under another id (a second process module)."""
    return ModuleManifest(
        module_id,
        version=USERS.version,
        runtime="process",
        capabilities=USERS.capabilities,
        methods=USERS.methods,
    )


def command(which: str = "users") -> list[str]:
    """The command line that serves ``which`` as a process module."""
    return [sys.executable, "-m", "tests.modules.sample", which]


INPROCESS = ModuleManifest(
    "users",
    version="1.0.0",
    capabilities=USERS.capabilities,
    methods=USERS.methods,
)


class AppError(Exception):
    code = 4001


class Users:
    """The sample implementation; ``ctx`` arrives through ``start``."""

    def __init__(self) -> None:
        self.ctx: Any = None
        self.names = {1: "ada", 2: "grace"}
        self.calls = 0

    async def start(self, ctx: Any) -> None:
        self.ctx = ctx

    async def stop(self) -> None:
        marker = os.environ.get("SAMPLE_STOP_FILE")
        if marker:  # tests check that a graceful stop ran
            with open(marker, "w") as out:
                out.write("stopped")

    async def find_user(self, id: int) -> dict[str, Any] | None:
        self.calls += 1
        name = self.names.get(id)
        return None if name is None else {"id": id, "name": name, "tags": []}

    async def rename(self, id: int, name: str) -> dict[str, Any]:
        self.names[id] = name
        return {"id": id, "name": name, "tags": []}

    async def echo(self, value: Any) -> Any:
        return value

    async def fail(self, code: int) -> None:
        self.calls += 1
        raise AppError(f"failure {code}")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def bad_output(self) -> str:
        return "not an integer"

    async def pid(self) -> int:
        return os.getpid()

    async def announce(self, text: str) -> Any:
        return await self.ctx.publish("announcements", {"text": text})

    async def now(self) -> Any:
        return await self.ctx.modules.clock.now()

    async def garble(self) -> None:
        os.write(self.out_fd, b"this is not json-rpc\n")

    async def secret(self) -> Any:
        return (await self.ctx.secret("token")).get()

    async def headers(self) -> Any:
        """The metadata that came with this call (trace context, for example)."""
        from gati.modules.rpc import INCOMING_HEADERS

        return INCOMING_HEADERS.get()

    async def raw_secret(self) -> Any:
        """Skip the context's own check and ask the app directly: the app refuses."""
        return await self.ctx.host.secret("token")

    out_fd = 1


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "users"
    if which == "wrong-version":
        serve(Users(), ModuleManifest("users", version="9.9.9", runtime="process"))
    elif which == "crash-on-start":
        sys.exit(3)
    elif which == "fail-start":

        class NoDatabase(Users):
            async def start(self, ctx: Any) -> None:
                raise RuntimeError("no database")

        serve(NoDatabase(), USERS)
    else:
        impl = Users()
        impl.out_fd = os.dup(1)  # the protocol's stdout, before serve() moves it
        serve(impl, process_manifest(which))
