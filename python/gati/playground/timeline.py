"""A record's timeline, built when someone looks (PLAYGROUND_API.md, Step): ingress, the
version and its transformer hops, one step per hook run (the policies' built-in steps as
``policy``), the handler, and the response, from the lifecycle event tuples the record kept."""

from __future__ import annotations

from gati.errors import HookTimeout, RequestTimeout
from gati.playground.record import Record, Step

__all__ = ["build"]

_POLICY_IDS = frozenset({"gati.auth", "gati.rate_limit", "gati.audit"})
_HANDLER_ENDS = frozenset({"handler.end", "handler.error", "validation.error"})
_MIGRATED = "request migrated up, response back down (timed within the handler)"


def _outcome(error: str | None) -> str:
    if error is None:
        return "ok"
    name = error.split(":", 1)[0]
    return "timeout" if name in (HookTimeout.__name__, RequestTimeout.__name__) else "error"


def build(record: Record, hops: tuple[tuple[str, str], ...]) -> list[Step]:
    """``record``'s steps; ``hops`` are the transformer hops its version crossed."""
    ingress = record.ingress_ms
    steps = [Step("ingress", "ingress", 0.0, ingress, detail=f"request id {record.request_id}")]
    version = record.version
    if version is not None:
        asked = record.version_asked
        chosen = f"asked {asked!r}" if asked else "no version asked: the default"
        steps.append(Step("version", version, ingress, 0.0, detail=chosen))
        for from_, to in hops:
            steps.append(Step("transform", f"{from_} → {to}", ingress, 0.0, detail=_MIGRATED))
    t0 = record.start_ns
    starts: dict[str, int] = {}
    handler_start = 0
    for kind, ts, hook, attempt, duration_ns, error, _ in record.events:
        if kind == "hook.start":
            starts[hook.id] = ts
        elif kind == "hook.end" or kind == "hook.error":
            hook_id = hook.id
            duration = duration_ns or 0
            begun = starts.pop(hook_id, ts - duration)
            phase = "policy" if hook_id in _POLICY_IDS else "hook"
            detail = (
                error if attempt == 1 else f"attempt {attempt}" + (f": {error}" if error else "")
            )
            at = ingress + _ms(begun, t0)
            steps.append(Step(phase, hook_id, at, duration / 1e6, _outcome(error), detail))
        elif kind == "hook.retry" and steps and steps[-1].phase in ("hook", "policy"):
            steps[-1].outcome = "retry"
        elif kind == "handler.start":
            handler_start = ts
        elif kind in _HANDLER_ENDS:
            duration = duration_ns or 0
            begun = handler_start or ts - duration
            name = record.handler_id or "gati.not_routed"
            at = ingress + _ms(begun, t0)
            steps.append(Step("handler", name, at, duration / 1e6, _outcome(error), error))
    last = max((s.start_ms + s.duration_ms for s in steps), default=ingress)
    total = record.duration_ms
    steps.append(Step("response", str(record.status), last, max(0.0, total - last)))
    return steps


def _ms(ts_ns: int, started_ns: int) -> float:
    """An event's ``ts_ns`` (``perf_counter_ns``) as ms from the lifecycle's start."""
    return max(0.0, (ts_ns - started_ns) / 1e6)
