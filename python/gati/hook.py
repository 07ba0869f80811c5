"""``Hook``: one hook function with its level, priority, timeout and retry policy (DESIGN §6).

A leaf that ``context/`` (local hooks) and ``lifecycle/`` (plans, the orchestrator) both import,
so neither imports the other for it. Kinds and levels are checked here, once, against the
table in ``gati._tables``; a ``Hook`` is valid by construction everywhere else.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from gati._tables import HOOK_KINDS as KINDS
from gati._tables import HOOK_LEVELS as LEVELS
from gati.errors import HookError

__all__ = ["KINDS", "LEVELS", "Backoff", "Hook", "is_async_callable"]

_I64: Final = 2**63


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry ``n`` (1-based): ``min(cap, base * factor ** (n - 1))`` seconds."""

    base: float = 0.05
    factor: float = 2.0
    cap: float = 2.0

    def __post_init__(self) -> None:
        if not (self.base >= 0 and self.factor >= 1 and self.cap >= 0):
            raise ValueError("Backoff needs base >= 0, factor >= 1 and cap >= 0")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry``."""
        return float(min(self.cap, self.base * self.factor ** min(retry - 1, 64)))


def is_async_callable(fn: Callable[..., Any]) -> bool:
    """True for coroutine functions, including callable objects with an ``async __call__``."""
    if inspect.iscoroutinefunction(fn):
        return True
    if inspect.isfunction(fn) or inspect.ismethod(fn):
        return False
    return inspect.iscoroutinefunction(type(fn).__call__)


def refused_arity(fn: Callable[..., Any], n: int) -> inspect.Signature | None:
    """``fn``'s signature when it cannot take ``n`` positional arguments; None when it can,
    or has no signature to read (some builtins: the caller is trusted). Registration checks
    use it so that a callable that could only fail at each call is refused where it is given."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*range(n))
    except TypeError:
        return signature
    return None


# Plain functions are checked once per (code, defaults count, arity): closures made per request
# share their code object, so local hooks skip inspect.signature after the first request.
_checked: dict[tuple[Any, int, int], bool] = {}


def _analyse(fn: Callable[..., Any], n: int, kind: str) -> bool:
    """Check that ``fn`` accepts ``n`` positional arguments; return whether it is async."""
    key = None
    if inspect.isfunction(fn):
        key = (fn.__code__, len(fn.__defaults__ or ()), n)
        known = _checked.get(key)
        if known is not None:
            return known
    sig = refused_arity(fn, n)
    if sig is not None:
        args = "(exc, req, res, lctx, gctx)" if kind == "catch" else "(req, res, lctx, gctx)"
        raise HookError(f"a {kind} hook must accept {args}; {fn!r} has {sig}")
    is_async = is_async_callable(fn)
    if key is not None and len(_checked) < 4096:
        _checked[key] = is_async
    return is_async


class Hook:
    """A hook; sync or async is detected once, here.

    Async hooks run in the request's task and are cancelled at their ``timeout``. Sync hooks
    without a timeout run inline on the event loop (cheapest; they block it while they run);
    a sync hook with a timeout runs in a worker thread and the request stops waiting for it at
    its timeout (the thread cannot be killed and finishes in the background).
    """

    __slots__ = (
        "backoff",
        "fn",
        "id",
        "is_async",
        "kind",
        "level",
        "priority",
        "retries",
        "timeout",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        kind: str = "before",
        level: str = "global",
        id: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        retries: int = 0,
        backoff: Backoff | float = Backoff(),
    ) -> None:
        if not callable(fn):
            raise TypeError(f"a hook must be callable, not {type(fn).__name__}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
        if type(priority) is not int or not -_I64 <= priority < _I64:
            raise ValueError("priority must be an int within 64 bits")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
        ):
            raise ValueError(
                f"timeout must be a positive number of seconds or None, not {timeout!r}"
            )
        if type(retries) is not int or retries < 0:
            raise ValueError("retries must be an int >= 0")
        if id is not None and (not isinstance(id, str) or not id):
            raise ValueError(f"a hook id must be a non-empty string, not {id!r}")
        is_async = _analyse(fn, 5 if kind == "catch" else 4, kind)
        self.fn = fn
        self.kind = kind
        self.level = level
        self.id = id if id is not None else getattr(fn, "__qualname__", None) or repr(fn)
        self.priority = priority
        self.timeout = None if timeout is None else float(timeout)
        self.retries = retries
        self.backoff = backoff if isinstance(backoff, Backoff) else Backoff(base=float(backoff))
        self.is_async = is_async

    def __repr__(self) -> str:
        return (
            f"Hook({self.id!r}, kind={self.kind!r}, level={self.level!r}, "
            f"priority={self.priority}, async={self.is_async})"
        )
