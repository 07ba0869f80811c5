"""End to end over a real uvicorn server, on both backends: the demo's versions by header and
by query, Deprecation/Sunset headers, 410 after decommissioning, 503 for an unhealthy version
without a safe fallback, and bad preferences."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gati.testing import live_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["native", "pure"])
def server(request: Any) -> Iterator[str]:
    env = {**os.environ, "GATI_BACKEND": request.param, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", "tests.timescape.e2e_app:app", "--host",
               "127.0.0.1", "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=ROOT, env=env, probe="/healthz") as live:
        yield live.url


@pytest.mark.e2e
def test_timescape_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        # the demo: 2025-06-01 (stable) splits the name; 2025-01-01 still gets one name
        r = client.get("/customers/1")
        assert r.json() == {"id": 1, "first_name": "Ada", "last_name": "Lovelace"}
        assert r.headers["gati-version"] == "2025-06-01" and "deprecation" not in r.headers
        r = client.get("/customers/1", headers={"Gati-Version": "2025-01-01"})
        assert r.json() == {"id": 1, "name": "Ada Lovelace"}
        assert r.headers["gati-version"] == "2025-01-01"
        assert r.headers["deprecation"].startswith("@")
        assert r.headers["sunset"] == "Tue, 01 Jun 2027 00:00:00 GMT"
        r = client.post("/customers?version=2025-01-01", json={"name": "Grace Hopper"})
        assert (r.status_code, r.json()) == (201, {"id": 2, "name": "Grace Hopper"})
        r = client.get("/customers/2", headers={"X-API-Version": "2025-06-01"})
        assert r.json() == {"id": 2, "first_name": "Grace", "last_name": "Hopper"}
        r = client.post(
            "/customers?version=2025-01-01", json={"first_name": "Old", "last_name": "Client"}
        )
        assert r.status_code == 400 and r.headers["gati-version"] == "2025-01-01"
        # bad preferences: clear 400s
        for bad in ("2025-02-30", "nightly", "1999-01-01", "x" * 5000):
            r = client.get("/customers/1", headers={"Gati-Version": bad})
            assert r.status_code == 400
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["versions"] == ["2025-01-01", "2025-06-01"]
        # two live incompatible versions, then unhealthy (503) and decommissioned (410)
        old = {"Gati-Version": "2025-01-01"}
        assert client.get("/reports", headers=old).json() == {"total": 3}
        assert client.get("/reports").json() == {"sum": 3}
        client.post("/admin/unhealthy/2025-01-01")
        r = client.get("/reports", headers=old)
        assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
        client.post("/admin/healthy/2025-01-01")
        assert client.get("/reports", headers=old).status_code == 200
        usage = client.post("/admin/decommission/2025-01-01").json()
        assert usage["2025-01-01"]["decommissioned"] is True
        assert usage["2025-01-01"]["requests"] >= 3
        r = client.get("/reports", headers=old)
        assert r.status_code == 410 and r.json()["versions"] == ["2025-06-01"]
        # the demo's 2025-01-01 has a transformer: decommissioned, it is still migrated
        r = client.get("/customers/1", headers=old)
        assert (r.status_code, r.json()) == (200, {"id": 1, "name": "Ada Lovelace"})
