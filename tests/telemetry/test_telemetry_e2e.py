"""End to end: a uvicorn subprocess serves ``/metrics`` with the requests it answered."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gati.testing import live_server

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.e2e


def test_uvicorn_serves_prometheus_metrics_of_its_requests() -> None:
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "uvicorn", "e2e_app:app", "--port", "{port}"]
    with live_server(command, cwd=HERE, env=env, probe="/orders/0") as live:
        for n in range(1, 4):
            assert httpx.get(f"{live.url}/orders/{n}").json() == {"id": n}
        assert httpx.get(f"{live.url}/nowhere").status_code == 404
        text = httpx.get(f"{live.url}/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    counts = {
        (s.labels["http_route"], s.labels["http_response_status_code"]): s.value
        for s in families["http_server_request_duration_seconds"].samples
        if s.name.endswith("_count")
    }
    assert counts[("/orders/{id:int}", "200")] == 4  # the probe and three requests
    assert counts[("", "404")] == 1
    (read,) = families["orders_read"].samples
    assert read.value == 4
