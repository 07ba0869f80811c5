"""Editing a paused request's state that holds secrets: the view shows them as ``***``, and
saving keeps the real value of every redacted value the user left as shown (a ``Secret``, a
string with a secret in it, nested ones too); a value the user changed is taken as typed."""

from __future__ import annotations

import asyncio
from typing import Any

from gati import App
from gati.playground.redact import MASK, restore
from gati.secrets import Secret
from gati.testing import AsyncTestClient
from tests.playground.apps import SECRET, make_app
from tests.playground.test_gates import add_gate, paused_once


def _revealed(value: Any) -> Any:
    """``value`` with each ``Secret`` read, as ``{"secret": value}``."""
    if isinstance(value, Secret):
        return {"secret": value.get()}
    if isinstance(value, dict):
        return {k: _revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value


def _app() -> App:
    app = make_app()

    @app.get("/vault")
    async def vault(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return _revealed(dict(lctx.state.items()))

    @app.hook("before", id="load_key")
    async def load_key(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if lctx.meta.route != "/vault":
            return
        secret = await gctx.secrets.get("api_key")
        lctx.state.set("key", secret)
        lctx.state.set("header", f"Bearer {SECRET}")
        lctx.state.set("nested", {"token": secret, "scopes": ["read"]})
        lctx.state.set("plain", 1)

    return app


async def _paused_state(client: Any) -> tuple[str, Any]:
    await add_gate(client, route="GET /vault", hook="load_key", when="after")
    pending = asyncio.create_task(client.get("/vault"))
    paused = await paused_once(client)
    return paused, pending


async def test_unchanged_redacted_values_keep_their_real_value() -> None:
    async with AsyncTestClient(_app()) as client:
        paused, pending = await _paused_state(client)
        shown = paused["state"]
        assert shown == {
            "user": "anonymous",
            "key": MASK,
            "header": f"Bearer {MASK}",
            "nested": {"token": MASK, "scopes": ["read"]},
            "plain": 1,
        }
        edited = {**shown, "plain": 2, "nested": {**shown["nested"], "scopes": ["read", "x"]}}
        url = f"/_gati/api/paused/{paused['pause_id']}/state"
        saved = await client.put(url, json=edited)
        assert saved.status_code == 200
        assert saved.json()["state"] == edited  # still redacted in the answer
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        body = (await pending).json()
        assert body == {
            "user": "anonymous",
            "key": {"secret": SECRET},
            "header": f"Bearer {SECRET}",
            "nested": {"token": {"secret": SECRET}, "scopes": ["read", "x"]},
            "plain": 2,
        }


async def test_a_changed_redacted_value_is_taken_as_typed() -> None:
    async with AsyncTestClient(_app()) as client:
        paused, pending = await _paused_state(client)
        edited = {**paused["state"], "key": "new-key", "header": "Bearer other"}
        del edited["plain"]  # a key left out is gone
        url = f"/_gati/api/paused/{paused['pause_id']}/state"
        assert (await client.put(url, json=edited)).status_code == 200
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        body = (await pending).json()
        assert body["key"] == "new-key"
        assert body["header"] == "Bearer other"
        assert "plain" not in body


def test_restore_compares_as_json() -> None:
    secret = Secret("hunter2")
    real = [("s", secret), ("n", 1), ("items", [secret, "a"]), ("t", True)]
    kept = restore({"s": MASK, "n": 1.0, "items": [MASK, "b"], "t": 1}, real, ("hunter2",))
    assert kept["s"] is secret
    assert kept["n"] == 1.0 and type(kept["n"]) is float  # 1.0 is not the 1 shown
    assert kept["items"][0] is secret and kept["items"][1] == "b"
    assert kept["t"] == 1 and type(kept["t"]) is int
    # a list whose length changed is taken as typed
    assert restore({"items": [MASK]}, real, ("hunter2",)) == {"items": [MASK]}
    # a key the state did not have is taken as typed, "***" included
    assert restore({"new": MASK}, real, ("hunter2",)) == {"new": MASK}
