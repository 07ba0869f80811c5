"""gati.testing.live_server: a server that dies or never answers is a clear error, not a hang."""

from __future__ import annotations

import sys

import pytest

from gati.testing import live_server


def test_a_server_that_exits_is_reported() -> None:
    with (
        pytest.raises(RuntimeError, match="exited with 3"),
        live_server([sys.executable, "-c", "import sys; sys.exit(3)"]),
    ):
        pass


def test_a_server_that_never_answers_is_reported_after_the_bound() -> None:
    silent = [sys.executable, "-c", "import time; time.sleep(60)  # port {port}"]
    with pytest.raises(RuntimeError, match="no answer"), live_server(silent, start_timeout=0.5):
        pass
