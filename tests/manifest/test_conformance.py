"""schemathesis, an outside tool, checks the demo app against its own OpenAPI document over a
real uvicorn, on both backends: no server error, and every response conforms (status, content
type, headers, schema).

``positive_data_acceptance`` is left out on purpose: JSON Schema counts ``1502.0`` as an
integer, GType's ``integer`` does not (docs/openapi.md, "What the document cannot say"), so a
generated ``1502.0`` is rightly refused with a documented 400.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gati.testing import live_server

# Both backends, each in its own server: the Makefile runs it in one pass.
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "unsupported_method",
]


@pytest.mark.e2e
@pytest.mark.parametrize("backend", ["native", "pure"])
def test_schemathesis_finds_nothing_wrong_with_the_demo(backend: str, tmp_path: Path) -> None:
    env = {**os.environ, "GATI_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", "examples.bookstore:app", "--port", "{port}",
               "--log-level", "warning"]  # fmt: skip
    with live_server(command, cwd=ROOT, env=env, probe="/healthz") as server:
        run = subprocess.run(
            [
                str(SCHEMATHESIS), "run", f"{server.url}/openapi.json",
                "--checks", ",".join(CHECKS),
                "--header", "X-API-Key: demo-key",
                "--max-examples", "25",
                "--seed", "20251101",
                "--no-shrink",
            ],
            capture_output=True, text=True, timeout=540, cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "10 selected / 10 total" in run.stdout
