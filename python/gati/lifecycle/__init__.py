"""The hook lifecycle: hook records, route plans, the orchestrator and its events."""

from gati.hook import Backoff, Hook
from gati.lifecycle.events import EVENT_TYPES, Emitter
from gati.lifecycle.orchestrator import Orchestrator
from gati.lifecycle.plan import DEFAULT_TIMEOUT, RoutePlan, plan_route

__all__ = [
    "DEFAULT_TIMEOUT",
    "EVENT_TYPES",
    "Backoff",
    "Emitter",
    "Hook",
    "Orchestrator",
    "RoutePlan",
    "plan_route",
]
