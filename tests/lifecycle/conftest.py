"""Shared helpers: a minimal response object and a request runner."""

from __future__ import annotations

from typing import Any

import pytest

from gati import GlobalContext, LocalContext
from gati.lifecycle import Emitter, Orchestrator


class Res:
    """The smallest response the orchestrator needs: ``written`` set by writes."""

    def __init__(self) -> None:
        self.written = False
        self.body: Any = None

    def json(self, body: Any) -> Res:
        self.body = body
        self.written = True
        return self


@pytest.fixture
def gctx() -> GlobalContext:
    return GlobalContext({"name": "test"})


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def orch(gctx: GlobalContext, events: list[dict[str, Any]]) -> Orchestrator:
    em = Emitter()
    em.subscribe(events.append)
    return Orchestrator(gctx, em, callback_timeout=0.5)


@pytest.fixture
def res() -> Res:
    return Res()


@pytest.fixture
def lctx() -> LocalContext:
    return LocalContext("r1", handler_id="h", version="2025-01-01")
