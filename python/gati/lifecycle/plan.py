"""``plan_route``: a route's global + route hook chains, ordered once at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from gati._backend import twin
from gati.hook import Hook

_plan_hooks = twin("plan_hooks")

__all__ = ["DEFAULT_TIMEOUT", "RoutePlan", "plan_route"]

DEFAULT_TIMEOUT: Final = 30.0


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The ordered chains of one route and its handler timeout (seconds, or None for none).

    ``plain``: only before hooks, each async without timeout or retries, the plan the app's
    plain runner (in ``App.__call__``) runs straight through.

    ``direct``: the route call taken apart for the plain runner, which then runs it inline (a
    coroutine level less): ``(check, handler, answer, validates)`` -- ``check(req)`` the
    synchronous request validation (or None), ``handler`` the async handler,
    ``answer(result, res)`` what the call does with its result, ``validates`` whether the
    call passes phase ``validated``. None: the call is only ``call(req, res, lctx, gctx)``.
    """

    before: tuple[Hook, ...]
    after: tuple[Hook, ...]
    catch: tuple[Hook, ...]
    timeout: float | None = DEFAULT_TIMEOUT
    direct: tuple[Any, Any, Any, bool] | None = field(default=None, repr=False, compare=False)
    plain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        simple = all(h.is_async and h.timeout is None and not h.retries for h in self.before)
        object.__setattr__(self, "plain", simple and not self.after and not self.catch)

    @property
    def has_hooks(self) -> bool:
        """True when any chain has a hook."""
        return bool(self.before or self.after or self.catch)


def plan_route(
    global_hooks: Sequence[Hook],
    route_hooks: Sequence[Hook] = (),
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> RoutePlan:
    """Order ``global_hooks`` then ``route_hooks`` (each in registration order).

    Before: global → route, higher priority first, ties in registration order. After and catch:
    the exact reverse. Raises ``ValueError`` for a hook at the wrong level or a duplicate id
    within one (kind, level).
    """
    for hooks, level in ((global_hooks, "global"), (route_hooks, "route")):
        for h in hooks:
            if not isinstance(h, Hook):
                raise TypeError(f"plan_route() takes Hook objects, not {type(h).__name__}")
            if h.level != level:
                raise ValueError(f"{h!r} is a {h.level} hook, listed among the {level} hooks")
    if timeout is not None and not timeout > 0:
        raise ValueError("timeout must be a positive number of seconds or None")
    hooks = [*global_hooks, *route_hooks]
    before, after, catch = _plan_hooks(hooks)
    return RoutePlan(
        before=tuple(hooks[i] for i in before),
        after=tuple(hooks[i] for i in after),
        catch=tuple(hooks[i] for i in catch),
        timeout=None if timeout is None else float(timeout),
    )
