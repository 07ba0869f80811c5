"""A scan over everything the policy tests make visible — every log record (the audit log
included) and every problem body sent — for the secret values they use (Property 41)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import gati.http.sender as sender
from tests.policy.keys import HS_KEY

SECRET_VALUES = (HS_KEY, "k-admin-1234", "k-reader-5678", "sk_live_TOPSECRET", "hunter2-pass")


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter().format(record))


@pytest.fixture(scope="session", autouse=True)
def no_secret_value_is_ever_shown() -> Iterator[None]:
    recorder = Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    problem_body = sender.problem_body

    def recorded(*args: Any, **kwargs: Any) -> bytes:
        body = problem_body(*args, **kwargs)
        recorder.texts.append(body.decode("utf-8", "replace"))
        return body

    sender.problem_body = recorded
    try:
        yield
    finally:
        sender.problem_body = problem_body
        root.removeHandler(recorder)
        root.setLevel(old_level)
    assert recorder.texts  # the scan saw the suite's logs and problem bodies
    leaks = [(s, t[:200]) for t in recorder.texts for s in SECRET_VALUES if s in t]
    assert leaks == []
