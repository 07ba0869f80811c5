"""``make demo``: the Playground on for the loopback bind, with something worth showing."""

from __future__ import annotations

from examples import serve
from examples.bookstore import app as bookstore
from examples.playground_demo import create_playground_app

from gati.testing import TestClient


def test_the_demo_turns_the_playground_on_only_for_a_loopback_bind() -> None:
    assert serve.HOST == "127.0.0.1" and serve.PLAYGROUND
    assert bookstore.playground is None


def test_the_demo_shows_state_versions_replay_and_diff() -> None:
    client = TestClient(create_playground_app())
    assert client.get("/whoami", headers={"x-visitor": "ann"}).json()["visitor"] == "ann"
    client.get("/customers/1", headers={"gati-version": "2025-01-01"})
    old = client.get("/_gati/api/requests?limit=1").json()["requests"][0]
    record = client.get(f"/_gati/api/requests/{old['id']}").json()
    assert record["versions"] == ["2025-01-01", "2025-06-01"]
    assert any(
        s["boundary"] == "after:greet" and s["state"]["visitor"] == "guest"
        for s in record["snapshots"]
    )
    new = client.post(f"/_gati/api/requests/{old['id']}/replay", json={"version": "2025-06-01"})
    diff = client.get(f"/_gati/api/diff?left={old['id']}&right={new.json()['record']['id']}").json()
    assert diff["body"] != []
    routes = {r["route"] for r in client.get("/_gati/api/versions").json()["routes"]}
    assert "GET /customers/{id:int}" in routes
