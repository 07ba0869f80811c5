"""Instructions per request, counted by valgrind's callgrind: the one measure a shared, busy
machine does not disturb (wall and CPU time there move by 2-4× between runs).

Every variant is built in one process and warmed; then each serves ``N`` requests inside a
``math.fsum`` call, the only code callgrind counts (``--toggle-collect=math_fsum``) and after
which it writes one count (``--dump-after=math_fsum``). Requests are stepped without the event
loop, as in benches/test_policy_bench.py and benches/test_timescape_bench.py. Printed: each
variant's instructions per request and what it adds over its baseline; for JWT, the added
instructions as a multiple of PyJWT's own ``decode`` of the same token (the target: ≤ 1.2×).
To turn instructions into time, the baseline request's µs/instruction on a quiet run applies.

    python benches/instructions.py          # needs valgrind (make system installs it)
    python benches/instructions.py http     # the three HTTP endpoints: gati against peers
    python benches/instructions.py playground   # the Playground's recording, off against on
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benches import callgrind  # noqa: E402

N = 400
# (name, baseline it is compared with)
VARIANTS = [
    ("no policy", None),
    ("memory limiter", "no policy"),
    ("API key", "no policy"),
    ("JWT HS256", "no policy"),
    ("JWT HS256, no token cache", "no policy"),
    ("PyJWT decode alone", None),
    ("unversioned", None),
    ("3 versions", "unversioned"),
    ("30 versions", "unversioned"),
    ("unversioned, Gati-Version", None),
    ("3 versions, Gati-Version", "unversioned, Gati-Version"),
    ("30 versions, Gati-Version", "unversioned, Gati-Version"),
]
# The in-process endpoints of benches/http_inprocess.py; each compared with raw ASGI's.
# ``gati-floor`` is what any gati request must do, without the app's own bookkeeping
# (``api_floor``): the bound under the ratios to raw ASGI.
HTTP_IMPLS = ("raw-asgi", "starlette", "gati-native", "gati-floor", "gati-pure")
HTTP_CASES = ("GET /hello", "POST /users", "GET /users/{id}")
HTTP_VARIANTS = [
    (f"{case} {impl}", None if impl == "raw-asgi" else f"{case} raw-asgi")
    for case in HTTP_CASES
    for impl in HTTP_IMPLS
]

PLAYGROUND_VARIANTS = [
    ("playground off", None),
    ("playground recording", "playground off"),
    ("playground off, POST", None),
    ("playground recording, POST", "playground off, POST"),
]
GROUPS = {"": VARIANTS, "http": HTTP_VARIANTS, "playground": PLAYGROUND_VARIANTS}


def variant(name: str) -> Callable[[], Any]:
    """One request (or one decode) of ``name``."""
    if name.startswith(HTTP_CASES):
        return http_variant(name)
    if name.startswith("playground"):
        from benches.test_playground_bench import stepper as recorded

        return recorded(name)
    from benches.test_policy_bench import KEY, TOKEN, build, stepper
    from benches.test_timescape_bench import RESOLUTION, resolution_app
    from benches.test_timescape_bench import stepper as versioned

    if name in RESOLUTION:
        versions, preference = RESOLUTION[name]
        return versioned(resolution_app(versions), preference)
    if name == "PyJWT decode alone":
        import jwt

        decode = jwt.PyJWT(options={"require": ["exp"]}).decode
        return lambda: decode(TOKEN, KEY, algorithms=["HS256"], leeway=0)
    return stepper(build(name), name)


def http_variant(name: str) -> Callable[[], Any]:
    """One in-process request of ``"<case> <impl>"`` (the app built as the HTTP benches do)."""
    from benches.asgi import lifespan_startup
    from benches.http_apps import NEEDS_STARTUP, build
    from benches.test_http_bench import driver, gati_with_backend

    case, impl = name.rsplit(" ", 1)
    if impl == "gati-floor":
        app = api_floor(gati_with_backend("native"))
    elif impl.startswith("gati-"):
        app = gati_with_backend(impl[5:])
    else:
        app = build(impl)
    if impl in NEEDS_STARTUP:
        _pending.append(lifespan_startup(app))
    return driver(app, case)


def api_floor(app: Any) -> Any:
    """An ASGI callable doing, for ``app``'s routes, only what gati's API promises every
    request: the ingress head (the request id), routing, the ``Request``, ``Response`` and
    ``LocalContext`` handed to hooks and handlers, ``current_lctx()``'s context variable, the
    before hooks and the handler awaited, a body schema's validation, and the response's two
    messages. Left out is the app's own bookkeeping: phases, the handler watchdog, error
    mapping, mounts, versions and the rarer headers. A plain function, as raw ASGI's app is
    (calling an object's ``__call__``, as servers do with every framework's app, costs more)."""
    from gati._backend import twin
    from gati.context.current import CURRENT
    from gati.context.local import LocalContext
    from gati.http.ingress import read_ingress_head
    from gati.http.request import Request
    from gati.http.response import Response

    response_messages = twin("response_messages")
    routed = LocalContext.routed
    routes, gctx = app.routes, app.gctx

    async def serve(scope: Any, receive: Any, send: Any) -> None:
        info, rid, _, flags, trace_id, _, rid_bytes, started_at = read_ingress_head(scope)
        method, path = scope["method"], scope["path"]
        methods = routes.static.get(path)
        if methods is None:
            route, params = routes.resolve_dynamic(method, path)
        else:
            route, params = methods[method], {}
        req: Any = Request(scope, receive, info, params, route.max_body_size)
        res = Response()
        lctx = routed(
            rid, method, path, route.pattern, route.handler_id, None, flags, info, trace_id,
            started_at,
        )  # fmt: skip
        token = CURRENT.set(lctx)
        try:
            for hook in route.plan.before:
                await hook.fn(req, res, lctx, gctx)
            if route.body_validator is not None:
                req.validated = route.body_validator.validate_json(await req.body())
            result = await route.handler(req, res, lctx, gctx)
            if result is not None:
                res.json(result)
        finally:
            CURRENT.reset(token)
        start, body = response_messages(method, res, rid_bytes)
        await send(start)
        await send(body)

    return serve


_pending: list[Any] = []  # start-ups the counted run awaits before warming


async def counted(group: list[tuple[str, str | None]]) -> None:
    """The run under callgrind: one count per variant."""
    ones = [variant(name) for name, _ in group]
    for start in _pending:
        await start
    callgrind.run_each(ones, N, warm=300)


def main(which: str) -> int:
    if not callgrind.available():
        return 1
    group = GROUPS[which]
    http = which == "http"
    seeds = (0, 1, 2) if http else (0,)  # the request path's counts: the median of three
    counts = callgrind.counts(__file__, [which], N, seeds=seeds)
    per = dict(zip((name for name, _ in group), counts, strict=True))
    print(
        f"\n## instructions per request (callgrind, {N} requests per variant, "
        f"median over hash seeds {seeds})"
    )
    print(f"{'variant':32s}  {'instr/req':>10s}  {'added':>8s}  {'ratio':>6s}")
    for name, base in group:
        added = ratio = ""
        if base is not None:
            added = f"{per[name] - per[base]:8.0f}"
            ratio = f"{per[name] / per[base]:6.2f}"
        print(f"{name:32s}  {per[name]:10.0f}  {added:>8s}  {ratio:>6s}")
    if http:
        for case in HTTP_CASES:
            gati, starlette = per[f"{case} gati-native"], per[f"{case} starlette"]
            floor, raw = per[f"{case} gati-floor"], per[f"{case} raw-asgi"]
            print(
                f"{case}: gati-native / starlette {gati / starlette:.3f}x, / raw ASGI "
                f"{gati / raw:.2f}x; the floor / raw ASGI {floor / raw:.2f}x"
            )
        return 0
    if which:
        return 0
    decode = per["PyJWT decode alone"]
    for kind in ("JWT HS256", "JWT HS256, no token cache"):
        ratio = (per[kind] - per["no policy"]) / decode
        print(f"{kind} added / PyJWT decode: {ratio:.3f}x (target <= 1.2x)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        asyncio.run(counted(GROUPS[sys.argv[2]]))
    else:
        sys.exit(main(sys.argv[1] if sys.argv[1:] else ""))
