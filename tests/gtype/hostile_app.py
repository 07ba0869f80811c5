"""The app the event-loop end-to-end test (tests/gtype/test_hostile_e2e.py) and its bench
(benches/hostile_loop.py) serve: one route per hostile body of docs/gtype.md (unique_items,
huge integers, patterns, deep JSON, recursive unions), and those bodies, each the worst its
rule allows within the default body limit, with the status it must get."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gati import App, gt

app = App()  # the default body limit (1 MiB)
LIMIT = 1024 * 1024

SCHEMAS = {
    "unique": gt.array(gt.integer(), unique_items=True),
    "quantity": gt.object({"qty": gt.integer(max=1000)}),
    "numbers": gt.record(gt.integer()),
    "slug": gt.object({"s": gt.string(pattern=r"^([a-z0-9]+-?)+$")}),
    "word": gt.object({"s": gt.string(pattern=r"^(\w+)+$")}),
    "deep": gt.any(),
    # each level used to try both arrays on the whole subtree below: 2^depth
    "union": gt.union(
        gt.array(gt.ref("Node"), max_items=1),
        gt.array(gt.ref("Node"), min_items=1),
        gt.integer(),
        name="Node",
    ),
}


def _route(name: str, schema: Any) -> None:
    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": name}

    app.post(f"/{name}", request=schema, id=f"hostile.{name}")(handler)


for _name, _schema in SCHEMAS.items():
    _route(_name, _schema)


def _distinct_ints() -> bytes:
    parts, size, i = [], 2, 0
    while size + len(str(i)) + 1 < LIMIT:
        parts.append(str(i))
        size += len(parts[-1]) + 1
        i += 1
    return ("[" + ",".join(parts) + "]").encode()


def _nested_lists() -> bytes:
    """As many lists of 200 nested lists around a string as fit, in one list."""
    chain = b"[" * 200 + b'"x"' + b"]" * 200
    return b"[" + b",".join([chain] * ((LIMIT - 2) // (len(chain) + 1))) + b"]"


def bodies() -> dict[str, tuple[bytes, int]]:
    """Each route's worst body and the status it gets. The integer bodies are the hardening
    reports' own: a field of 1,040,000 nines and a 600,000-digit number in a free-form
    record."""
    return {
        "unique": (_distinct_ints(), 200),
        "quantity": (b'{"qty": ' + b"9" * (LIMIT - 20) + b"}", 400),
        "numbers": (b'{"n": ' + b"9" * 600_000 + b"}", 400),
        "slug": (b'{"s": "' + b"a" * (LIMIT - 20) + b'!"}', 400),
        "word": (b'{"s": "' + b"a" * (LIMIT - 20) + b'!"}', 400),
        "deep": (b"[" * (LIMIT // 2) + b"]" * (LIMIT // 2), 400),
        "union": (_nested_lists(), 400),
    }


@contextmanager
def serve(env: dict[str, str] | None = None) -> Iterator[str]:
    """A live uvicorn worker serving this app (``env`` added to the environment, e.g.
    ``GATI_BACKEND``); yields its base URL."""
    from gati.testing import live_server

    here = Path(__file__).parent
    path = f"{here}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    env = {**os.environ, **(env or {}), "PYTHONPATH": path}
    command = [sys.executable, "-m", "uvicorn", "hostile_app:app", "--host", "127.0.0.1",
               "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=here, env=env, probe="/healthz") as live:
        yield live.url
