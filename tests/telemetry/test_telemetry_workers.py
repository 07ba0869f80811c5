"""``/metrics`` with several uvicorn workers: prometheus-client's multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``) makes one scrape show the sum over every worker."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gati.telemetry.multiprocess import prometheus_name
from gati.testing import live_server

ROOT = Path(__file__).resolve().parents[2]
DURATION = "http_server_request_duration_seconds"


def scraped(url: str) -> dict[str, float]:
    """Request counts by route, and the app's own ``answers`` counter, from one scrape."""
    text = httpx.get(url + "/metrics", headers={"Connection": "close"}).text
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == DURATION + "_count" and s.labels.get("http_route") == "/pid":
                found["/pid"] = found.get("/pid", 0) + s.value
            if s.name == "answers_total":
                found["answers"] = found.get("answers", 0) + s.value
    return found


@pytest.mark.e2e
def test_one_scrape_sums_the_requests_of_two_workers(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "uvicorn", "tests.telemetry.workers_app:app",
               "--workers", "2", "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=ROOT, env=env, probe="/healthz") as server:
        pids: Counter[int] = Counter()
        while len(pids) < 2 or sum(pids.values()) < 20:  # a new connection each time
            assert sum(pids.values()) < 2000, "one worker took every connection"
            r = httpx.get(server.url + "/pid", headers={"Connection": "close"})
            pids[r.json()["pid"]] += 1
        total = sum(pids.values())
        for _ in range(4):  # whichever worker answers the scrape, it reports the sum
            assert scraped(server.url) == {"/pid": total, "answers": total}


def test_names_follow_the_opentelemetry_prometheus_exporter() -> None:
    assert prometheus_name("http.server.request.duration", "s") == DURATION
    assert prometheus_name("gati.ratelimit.rejections", "{request}") == "gati_ratelimit_rejections"
    assert prometheus_name("queue.depth") == "queue_depth"
    assert prometheus_name("size_bytes", "By") == "size_bytes"


def test_a_multiprocess_directory_set_too_late_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prometheus_client  # noqa: F401 - imported before the variable is set

    from gati import App

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="before prometheus_client is imported"):
        App(metrics_path="/metrics")
