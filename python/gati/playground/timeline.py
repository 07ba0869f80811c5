"""A record's timeline, built when someone looks (PLAYGROUND_API.md, Step): ingress, the
version and its transformer hops, one step per hook run (the policies' built-in steps as
``policy``), the handler, and the response, from the lifecycle events the recorder kept."""

from __future__ import annotations

from gati.errors import HookTimeout, RequestTimeout
from gati.playground.record import Record, Step

__all__ = ["build"]

_POLICY_IDS = frozenset({"gati.auth", "gati.rate_limit", "gati.audit"})
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
    t0 = int(record.started_at * 1e9)
    starts: dict[str, int] = {}
    handler_start = 0
    for ev in record.events:
        kind = ev["type"]
        ts = ev["ts_ns"]
        if kind == "hook.start":
            starts[ev["hook_id"]] = ts
        elif kind in ("hook.end", "hook.error"):
            hook_id = ev["hook_id"]
            duration = ev.get("duration_ns", 0) / 1e6
            begun = starts.pop(hook_id, ts - ev.get("duration_ns", 0))
            phase = "policy" if hook_id in _POLICY_IDS else "hook"
            error: str | None = ev.get("error")
            attempt = ev.get("attempt", 1)
            detail: str | None = (
                error if attempt == 1 else f"attempt {attempt}" + (f": {error}" if error else "")
            )
            steps.append(Step(phase, hook_id, _ms(begun, t0), duration, _outcome(error), detail))
        elif kind == "hook.retry" and steps and steps[-1].phase in ("hook", "policy"):
            steps[-1].outcome = "retry"
        elif kind == "handler.start":
            handler_start = ts
        elif kind in ("handler.end", "handler.error", "validation.error"):
            duration = ev.get("duration_ns", 0) / 1e6
            begun = handler_start or ts - ev.get("duration_ns", 0)
            error = ev.get("error")
            steps.append(
                Step(
                    "handler",
                    record.handler_id or "gati.not_routed",
                    _ms(begun, t0),
                    duration,
                    _outcome(error),
                    error,
                )
            )
    last = max((s.start_ms + s.duration_ms for s in steps), default=ingress)
    total = record.duration_ms
    steps.append(Step("response", str(record.status), last, max(0.0, total - last)))
    return steps


def _ms(ts_ns: int, started_ns: int) -> float:
    """An event's wall-clock ``ts_ns`` as ms from the request's start."""
    return max(0.0, (ts_ns - started_ns) / 1e6)
