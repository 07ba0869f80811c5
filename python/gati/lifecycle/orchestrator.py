"""The orchestrator: runs a route plan for one request (DESIGN §6, docs/lifecycle.md).

Order: before hooks (global → route → local) → ``call`` → after hooks (local, route, global:
the reverse), the catch chain on failure, ``on_timeout`` / ``on_error``, compensations, then
cleanup. Everything runs inline in the request's own task: no task per request, no event dict
while nobody listens, and the handler timeout is one entry in a shared ``Watchdog``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from types import CoroutineType
from typing import Any

from gati.context.current import CURRENT
from gati.context.local import LocalContext
from gati.errors import HookTimeout, RequestTimeout, ValidationError
from gati.hook import Hook
from gati.lifecycle.events import Emitter, Trace, event
from gati.lifecycle.plan import RoutePlan
from gati.lifecycle.watchdog import Watchdog, task_and_watchdog

__all__ = ["Call", "Orchestrator"]

Call = Callable[[Any, Any, LocalContext, Any], Awaitable[Any]]
OnFailure = Callable[[Exception, Any, Any, LocalContext], Awaitable[bool]]

_log = logging.getLogger("gati.lifecycle")
_now = time.perf_counter_ns
_isawaitable = inspect.isawaitable


class _HandlerTimedOut(Exception):
    """Internal: the handler passed its deadline."""


def _hook_event(
    emit: Any, lctx: LocalContext, hook: Hook, kind: str, attempt: int, **fields: Any
) -> None:
    """Emit one ``hook.*`` event of ``hook``."""
    emit(event(kind, lctx.meta, hook_id=hook.id, level=hook.level, attempt=attempt, **fields))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _failed_hook(report: Any, lctx: LocalContext, hook: Hook, exc: Exception, attempt: int) -> None:
    """``hook.error`` for a failure listener (no ``hook.start`` was emitted, so no duration),
    and ``hook.retry`` when another attempt follows."""
    _hook_event(report, lctx, hook, "hook.error", attempt, error=_describe(exc))
    if attempt <= hook.retries:
        _hook_event(report, lctx, hook, "hook.retry", attempt + 1)


def _handler_failed(lctx: LocalContext, exc: Exception) -> dict[str, Any]:
    """The ``validation.error`` or ``handler.error`` event of a failed handler call, for a
    failure listener (no ``handler.start`` was emitted, so no duration)."""
    kind = "validation.error" if isinstance(exc, ValidationError) else "handler.error"
    return event(kind, lctx.meta, error=_describe(exc))


class Orchestrator:
    """Runs route plans against one Global Context and one event emitter."""

    __slots__ = ("callback_timeout", "emitter", "gctx", "on_failure", "watchdog")

    def __init__(
        self, gctx: Any, emitter: Emitter | None = None, *, callback_timeout: float = 5.0
    ) -> None:
        self.gctx = gctx
        self.emitter = emitter if emitter is not None else Emitter()
        self.callback_timeout = callback_timeout
        # This loop's handler-timeout watchdog, made by the first bounded call (the app's
        # plain runner arms and disarms it itself).
        self.watchdog: Watchdog | None = None
        # Writes the response for an unhandled failure (the app sets it); after hooks then
        # see that response. None: the failure is raised to the caller.
        self.on_failure: OnFailure | None = None

    async def _bounded(self, aw: Awaitable[Any], timeout: float, expired: type[Exception]) -> Any:
        """Await ``aw`` in this task, cancelling it after ``timeout`` seconds."""
        task, wd = task_and_watchdog(self.watchdog)
        self.watchdog = wd
        if task is None:  # not inside a task: nothing to cancel, run unbounded
            return await aw
        wd.arm(task, timeout)
        try:
            r = await aw
        except BaseException:
            if wd.disarm(task):
                raise expired(f"timed out after {timeout} s") from None
            raise
        if wd.disarm(task):
            raise expired(f"timed out after {timeout} s")
        return r

    async def run(self, plan: RoutePlan, call: Call, req: Any, res: Any, lctx: LocalContext) -> Any:
        """Run one request through ``plan``; see docs/lifecycle.md for the outcomes.

        Returns ``call``'s result, or None when a catch hook wrote the response for an error.
        Raises the error when no catch hook handled it, ``RequestTimeout`` when the handler
        timed out, and re-raises an outside cancellation, always after cleanup.
        """
        gctx = self.gctx
        emitter = self.emitter
        trace: Trace | None = None
        emit: Any = None
        if emitter.listening:
            started: Any = emitter.start(req, res, lctx)
            if type(started) is CoroutineType:
                started = await started
            if started is not None:
                trace = started
                emit = started.append
        token = CURRENT.set(lctx)
        # t: the last boundary's time and state its snapshot, carried to the next step's start
        # (nothing runs between them); 0 once something else ran
        t0 = t = 0
        state = None
        if trace is not None:
            t0 = t = _now()
            s = lctx.state_if_made
            state = None if s is None else s.snapshot()
            emit(("request.start", t0, None, 0, None, None, None))
        # hooks and handler called with the four written out (no args tuple on the common
        # path, as in the app's plain runner); the rare paths build ``(req, res, lctx, gctx)``
        start = lctx.hook_index
        step = 0
        result: Any = None
        responding = False
        try:
            for hook in plan.before:
                if step >= start:
                    if hook.is_async and hook.timeout is None:
                        # the common hook, awaited here (no extra coroutine frame), with its
                        # events written out when a tracer takes them
                        if emit is not None:
                            if not t:
                                t, state = _now(), lctx.state_snapshot()
                            emit(("hook.start", t, hook, 1, None, None, state))
                        begun = t
                        try:
                            await hook.fn(req, res, lctx, gctx)
                        except Exception as exc:
                            t = 0
                            self._hook_failed(emit, lctx, hook, exc, 1, begun)
                            if not hook.retries:
                                raise
                            await asyncio.sleep(hook.backoff.delay(1))
                            await self._hook(hook, (req, res, lctx, gctx), lctx, emit, 1)
                        else:
                            if emit is not None:
                                t, s = _now(), lctx.state_if_made
                                state = None if s is None else s.snapshot()
                                emit(("hook.end", t, hook, 1, t - begun, None, state))
                    else:
                        t = 0
                        await self._hook(hook, (req, res, lctx, gctx), lctx, emit)
                    lctx.hook_index = step + 1
                step += 1
            x = lctx.extras_if_made
            if x is not None and x.before:
                t = 0
                i = 0
                while i < len(x.before):  # a local before hook may add more
                    if step >= start:
                        await self._hook(x.before[i], (req, res, lctx, gctx), lctx, emit)
                        lctx.hook_index = step + 1
                    step += 1
                    i += 1
            if step >= start:
                timeout = plan.timeout
                wd = self.watchdog
                if emit is not None:
                    if not t:
                        t, state = _now(), lctx.state_snapshot()
                    emit(("handler.start", t, None, 0, None, None, state))
                begun = t
                try:
                    task = None
                    if wd is not None and timeout is not None:
                        # _bounded inlined for the handler (a cached watchdog): a level less
                        task = wd.arm_running(timeout)
                    if wd is not None and task is not None:
                        try:
                            direct = plan.direct
                            if direct is None:
                                result = await call(req, res, lctx, gctx)
                            else:  # the route call inline, as in the app's plain runner
                                check, handler, answer, validates = direct
                                if check is not None:
                                    check(req)
                                if (
                                    lctx.current_phase == "routed"
                                    and lctx.extras_if_made is None
                                    and lctx.meta_if_made is None
                                ):
                                    lctx.current_phase = "processing"  # advance()'s moves
                                else:
                                    if validates:
                                        lctx.advance("validated")
                                    lctx.advance("processing")
                                result = await handler(req, res, lctx, gctx)
                                answer(result, res)
                        except BaseException:
                            if wd.disarm(task):
                                raise _HandlerTimedOut(f"timed out after {timeout} s") from None
                            raise
                        if wd.disarm(task):
                            raise _HandlerTimedOut(f"timed out after {timeout} s")
                    elif timeout is not None:
                        result = await self._bounded(
                            call(req, res, lctx, gctx), timeout, _HandlerTimedOut
                        )
                    else:
                        result = await call(req, res, lctx, gctx)
                except Exception as exc:  # on a failure path only: traced, or reported
                    if emit is not None:
                        end = _now()
                        kind = (
                            "validation.error"
                            if isinstance(exc, ValidationError)
                            else "handler.error"
                        )
                        emit((kind, end, None, 0, end - begun, _describe(exc), None))
                    elif not isinstance(exc, _HandlerTimedOut):
                        report = self.emitter.failure_emit()
                        if report is not None:
                            report(_handler_failed(lctx, exc))
                    raise
                if emit is not None:  # its time carried to request.end if nothing runs between
                    t = _now()
                    s = lctx.state_if_made
                    state = None if s is None else s.snapshot()
                    emit(("handler.end", t, None, 0, t - begun, None, state))
                lctx.hook_index = step + 1
            else:
                t = 0
            step += 1
            responding = True
            x = lctx.extras_if_made
            after = plan.after if x is None or not x.after else (*x.after[::-1], *plan.after)
            if after or x is not None:
                # Without after hooks, extras or phase listeners no code runs in "responding"
                # and "completed" follows at once (legal from the same phases): skip the step.
                t = 0
                lctx.advance("responding")
            for hook in after:
                if step >= start:
                    await self._hook(hook, (req, res, lctx, gctx), lctx, emit)
                    lctx.hook_index = step + 1
                step += 1
        except BaseException as exc:
            return await self._settle(
                exc, plan, (req, res, lctx, gctx), lctx, trace, t0, token, responding
            )
        try:
            if lctx.extras_if_made is not None:
                if getattr(res, "asgi", None) is not None:
                    # a delegated (streamed) body is still to be sent: the app calls
                    # finish_after_send once its last byte is out
                    if trace is not None:
                        end = _now()
                        trace.end(("request.end", end, None, 0, end - t0, None, None))
                    return result
                await self._finish(lctx, False, emit)
            if lctx.current_phase == "processing" and lctx.meta_if_made is None:
                # no after hook, extras, listener or Meta to mirror
                lctx.current_phase = "completed"
            else:
                lctx.advance("completed")
            if trace is not None:
                end = t or _now()
                trace.end(("request.end", end, None, 0, end - t0, None, None))
        finally:
            CURRENT.reset(token)
        return result

    # -- the plain runner ------------------------------------------------------------------
    # ``run`` for a fresh request on a plain plan (``RoutePlan.plain``) while no listener is
    # attached is written straight through in ``App.__call__`` (the ASGI exchange and the
    # lifecycle in one coroutine: a level less per request); these are its ways back into the
    # orchestrator, each on a path the common request does not take.

    async def plain_call(self, call: Call, args: tuple[Any, ...], timeout: float) -> Any:
        """The handler call of the plain runner while this loop has no watchdog yet (made
        here), bounded by ``timeout``."""
        return await self._bounded(call(*args), timeout, _HandlerTimedOut)

    @staticmethod
    def plain_timed_out(timeout: float | None) -> Exception:
        """What the plain runner raises when the watchdog expired its handler call."""
        return _HandlerTimedOut(f"timed out after {timeout} s")

    async def plain_failed(
        self,
        exc: BaseException,
        plan: RoutePlan,
        args: tuple[Any, ...],
        lctx: LocalContext,
        hook: Hook | None,
        token: Any,
    ) -> Any:
        """The plain runner's failure (in ``hook``, or the handler call when None): the
        failure listeners' events, then ``run``'s failure path."""
        if isinstance(exc, Exception) and not isinstance(exc, _HandlerTimedOut):
            report = self.emitter.failure_emit()
            if report is not None:
                if hook is None:
                    report(_handler_failed(lctx, exc))
                else:
                    _failed_hook(report, lctx, hook, exc, 1)
        return await self._settle(exc, plan, args, lctx, None, 0, token)

    async def plain_extras(
        self, x: Any, plan: RoutePlan, call: Call, args: tuple[Any, ...], token: Any, result: Any
    ) -> Any:
        """The plain runner's request that made extras (``x``): local before hooks added by a
        before hook hand the rest of the request to ``run``; local after hooks and callbacks
        (a built-in step's ``on_cleanup``, as telemetry's) get ``run``'s ending."""
        req, res, lctx, _ = args
        if x.before and lctx.hook_index == len(plan.before):  # before the handler: run goes on
            CURRENT.reset(token)
            return await self.run(plan, call, req, res, lctx)
        return await self._end_with_extras(x, plan, args, lctx, token, result)

    async def _end_with_extras(
        self,
        x: Any,
        plan: RoutePlan,
        args: tuple[Any, ...],
        lctx: LocalContext,
        token: Any,
        result: Any,
    ) -> Any:
        """``run``'s ending for a plain plan whose hooks or handler added local after hooks or
        callbacks: ``responding``, the local after hooks, cleanup, ``completed``."""
        try:
            if (
                lctx.current_phase == "processing"
                and not x.phase_listeners
                and lctx.meta_if_made is None
            ):
                # advance()'s move: no listener, no Meta to mirror
                lctx.current_phase = "responding"
            else:
                lctx.advance("responding")
            step = lctx.hook_index
            for hook in x.after[::-1]:
                await self._hook(hook, args, lctx, None)
                step += 1
                lctx.hook_index = step
        except BaseException as exc:
            return await self._settle(exc, plan, args, lctx, None, 0, token, True)
        try:
            if getattr(args[1], "asgi", None) is None:  # else finish_after_send ends it
                await self._finish(lctx, False, None)
                if (
                    lctx.current_phase == "responding"
                    and not x.phase_listeners
                    and lctx.meta_if_made is None
                ):
                    lctx.current_phase = "completed"
                else:
                    lctx.advance("completed")
        finally:
            CURRENT.reset(token)
        return result

    async def _settle(
        self,
        failure: BaseException,
        plan: RoutePlan,
        args: tuple[Any, ...],
        lctx: LocalContext,
        trace: Trace | None,
        t0: int,
        token: Any,
        responding: bool = False,
    ) -> Any:
        """The failure path: catch chain or on_timeout, on_error, the error response
        (``on_failure``), after hooks over it, compensations, cleanup."""
        emit = None if trace is None else trace.append
        handled = answered = False
        try:
            x = lctx.extras_if_made
            if isinstance(failure, _HandlerTimedOut):
                lctx.advance("timeout")
                if x is not None:
                    for fn in tuple(x.on_timeout):
                        await self._callback(fn, (), lctx, "on_timeout")
            else:
                lctx.advance("error")
                if isinstance(failure, Exception):
                    handled = await self._catch(failure, plan, args, lctx, emit)
                x = lctx.extras_if_made
                if x is not None:
                    for efn in tuple(x.on_error):
                        await self._callback(efn, (failure,), lctx, "on_error")
            if not handled and self.on_failure is not None and isinstance(failure, Exception):
                answered = await self._answer(failure, args, lctx)
            if (handled or answered) and not responding:
                await self._after_failure(plan, args, lctx, emit)
            if lctx.extras_if_made is not None:
                await self._finish(lctx, True, emit)
            if handled:
                lctx.advance("completed")
            if trace is not None:
                end = _now()
                trace.end(("request.end", end, None, 0, end - t0, _describe(failure), None))
        finally:
            CURRENT.reset(token)
        if handled or answered:
            return None
        if isinstance(failure, _HandlerTimedOut):
            raise RequestTimeout(f"request {lctx.meta.request_id}: handler {failure}") from None
        raise failure

    async def _answer(self, failure: Exception, args: tuple[Any, ...], lctx: LocalContext) -> bool:
        """Let ``on_failure`` write the error response; its own failure is logged."""
        if isinstance(failure, _HandlerTimedOut):
            failure = RequestTimeout(f"request {lctx.meta.request_id}: handler {failure}")
        assert self.on_failure is not None
        try:
            return await self.on_failure(failure, args[0], args[1], lctx)
        except Exception:
            _log.exception("writing the error response failed", extra=lctx.log_extra())
            return False

    async def _after_failure(
        self, plan: RoutePlan, args: tuple[Any, ...], lctx: LocalContext, emit: Any
    ) -> None:
        """The after chain over an error response, each hook isolated (its failure logged)."""
        x = lctx.extras_if_made
        chain = plan.after if x is None or not x.after else (*x.after[::-1], *plan.after)
        for hook in chain:
            try:
                await self._hook(hook, args, lctx, emit)
            except Exception:
                _log.exception(
                    "after hook %r failed on an error response", hook.id, extra=lctx.log_extra()
                )

    async def finish_after_send(self, lctx: LocalContext) -> None:
        """End a request whose delegated body was sent: cancel tracked tasks, run cleanup,
        ``completed``. A request that failed was finished by the failure path already."""
        if lctx.current_phase in ("error", "timeout", "completed"):
            return
        token = CURRENT.set(lctx)
        try:
            if lctx.extras_if_made is not None:
                await self._finish(lctx, False, None)
            lctx.advance("completed")
        finally:
            CURRENT.reset(token)

    async def _hook(
        self, hook: Hook, args: tuple[Any, ...], lctx: LocalContext, emit: Any, attempt: int = 0
    ) -> None:
        """One hook with its retries, from attempt ``attempt + 1``; raises its last error."""

        while True:
            attempt += 1
            t = 0
            if emit is not None:
                t = _now()
                state = lctx.state_snapshot()
                emit(("hook.start", t, hook, attempt, None, None, state))
            try:
                if hook.is_async:
                    aw = hook.fn(*args)
                    if hook.timeout is None:
                        await aw
                    else:
                        await self._bounded(aw, hook.timeout, HookTimeout)
                elif hook.timeout is None:
                    r = hook.fn(*args)
                    if r is not None and _isawaitable(r):
                        await r
                else:  # a sync hook with a timeout runs in a worker thread, bounded
                    r = await self._bounded(
                        asyncio.to_thread(hook.fn, *args), hook.timeout, HookTimeout
                    )
                    if r is not None and _isawaitable(r):
                        await self._bounded(r, hook.timeout, HookTimeout)
            except Exception as exc:
                self._hook_failed(emit, lctx, hook, exc, attempt, t)
                if attempt > hook.retries:
                    raise
                await asyncio.sleep(hook.backoff.delay(attempt))
            else:
                if emit is not None:
                    end = _now()
                    state = lctx.state_snapshot()
                    emit(("hook.end", end, hook, attempt, end - t, None, state))
                return

    def _hook_failed(
        self, emit: Any, lctx: LocalContext, hook: Hook, exc: Exception, attempt: int, t: int
    ) -> None:
        """Trace (``emit``) or report a failed attempt of ``hook`` started at ``t``."""
        if emit is not None:
            end = _now()
            error = _describe(exc)
            emit(("hook.error", end, hook, attempt, end - t, error, lctx.state_snapshot()))
            if attempt <= hook.retries:
                emit(("hook.retry", end, hook, attempt + 1, None, None, None))
        else:
            report = self.emitter.failure_emit()
            if report is not None:
                _failed_hook(report, lctx, hook, exc, attempt)

    async def _catch(
        self, exc: Exception, plan: RoutePlan, args: tuple[Any, ...], lctx: LocalContext, emit: Any
    ) -> bool:
        """Run every catch hook, each isolated; True if one of them wrote the response."""
        x = lctx.extras_if_made
        chain = plan.catch if x is None or not x.catch else (*x.catch[::-1], *plan.catch)
        if not chain:
            return False
        res = args[1]
        with contextlib.suppress(AttributeError):
            res.written = False
        cargs = (exc, *args)
        for hook in chain:
            try:
                await self._hook(hook, cargs, lctx, emit)
            except Exception:
                _log.exception("catch hook %r failed", hook.id, extra=lctx.log_extra())
        return bool(getattr(res, "written", False))

    async def _callback(
        self, fn: Callable[..., Any], args: tuple[Any, ...], lctx: LocalContext, what: str
    ) -> BaseException | None:
        """Call one end-of-request callback, bounded if async; returns its error, if any."""
        try:
            r = fn(*args)
            if r is not None and _isawaitable(r):
                await self._bounded(r, self.callback_timeout, HookTimeout)
        except Exception as exc:
            _log.exception("%s callback %r failed", what, fn, extra=lctx.log_extra())
            return exc
        return None

    async def _finish(self, lctx: LocalContext, failed: bool, emit: Any) -> None:
        """Compensations (on failure, last-first), cancel pending tracked tasks, cleanup."""
        x = lctx.extras_if_made
        assert x is not None  # each caller checked
        if failed:
            for action in x.compensations[::-1]:
                name = getattr(action, "__qualname__", None) or repr(action)
                if emit is not None:
                    emit(("compensation.start", _now(), name, 0, None, None, None))
                err = await self._callback(action, (), lctx, "compensation")
                if err is None:
                    if emit is not None:
                        emit(("compensation.end", _now(), name, 0, None, None, None))
                elif emit is not None:
                    emit(("compensation.alert", _now(), name, 0, None, _describe(err), None))
                else:
                    report = self.emitter.failure_emit()
                    if report is not None:
                        report(
                            event(
                                "compensation.alert", lctx.meta, hook_id=name, error=_describe(err)
                            )
                        )
        for t in x.tracked:
            if t.task is not None and not t.task.done():
                t.task.cancel()
        for fn in x.cleanup[::-1]:
            await self._callback(fn, (), lctx, "cleanup")
