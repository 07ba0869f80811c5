"""gati: an ASGI framework with typed schemas, request contexts and an ordered hook lifecycle.

This module is the public API. The lifecycle engine (``Orchestrator``, ``RoutePlan``,
``plan_route``, ``Emitter``), for running route plans without an ``App``, is the documented
subpackage ``gati.lifecycle`` (docs/lifecycle.md).

Each public name but ``backend`` is imported on first use (PEP 562), so ``import gati`` loads
only this module and the backend registry (which loads the extension), and ``from gati import
App`` loads what an app needs, not the whole package.
"""

from __future__ import annotations

# The backend is chosen now: a bad GATI_BACKEND or a missing extension fails at ``import gati``.
from gati._backend import backend

# Not ``typing.TYPE_CHECKING``: importing ``typing`` would double ``import gati``'s cost (41 of
# 82 million instructions); type checkers treat any ``TYPE_CHECKING`` name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:  # the same names, eagerly, for type checkers and IDEs
    from typing import Any

    from gati.app import App
    from gati.context import GlobalContext, LocalContext, Snapshot, current_lctx
    from gati.errors import (
        GatiError,
        HookError,
        ModuleNotFoundError,
        NoRequestContext,
        RequestTimeout,
        SchemaError,
        StartupError,
        ValidationError,
    )
    from gati.gtype import gt
    from gati.gtype.paths import format_path
    from gati.gtype.schema import Schema
    from gati.gtype.validator import Validator
    from gati.hook import Backoff, Hook
    from gati.http import HTTPError, Request, Response
    from gati.http.forms import FormLimits
    from gati.http.middleware import Middleware
    from gati.http.routers import Router
    from gati.http.streaming import ServerSentEvent
    from gati.http.websockets import WebSocket, WebSocketDisconnect
    from gati.policy import APIKeyAuth, JWTAuth, Principal
    from gati.secrets import Secret, SecretNotFound

# Public name -> the module that defines it.
_HOMES = {
    "APIKeyAuth": "gati.policy",
    "App": "gati.app",
    "Backoff": "gati.hook",
    "FormLimits": "gati.http.forms",
    "GatiError": "gati.errors",
    "GlobalContext": "gati.context",
    "HTTPError": "gati.http",
    "Hook": "gati.hook",
    "HookError": "gati.errors",
    "JWTAuth": "gati.policy",
    "LocalContext": "gati.context",
    "Middleware": "gati.http.middleware",
    "ModuleNotFoundError": "gati.errors",
    "NoRequestContext": "gati.errors",
    "Principal": "gati.policy",
    "Request": "gati.http",
    "RequestTimeout": "gati.errors",
    "Response": "gati.http",
    "Router": "gati.http.routers",
    "Schema": "gati.gtype.schema",
    "SchemaError": "gati.errors",
    "Secret": "gati.secrets",
    "SecretNotFound": "gati.secrets",
    "ServerSentEvent": "gati.http.streaming",
    "Snapshot": "gati.context",
    "StartupError": "gati.errors",
    "ValidationError": "gati.errors",
    "Validator": "gati.gtype.validator",
    "WebSocket": "gati.http.websockets",
    "WebSocketDisconnect": "gati.http.websockets",
    "current_lctx": "gati.context",
    "format_path": "gati.gtype.paths",
    "gt": "gati.gtype",
}
__all__ = [
    "APIKeyAuth",
    "App",
    "Backoff",
    "FormLimits",
    "GatiError",
    "GlobalContext",
    "HTTPError",
    "Hook",
    "HookError",
    "JWTAuth",
    "LocalContext",
    "Middleware",
    "ModuleNotFoundError",
    "NoRequestContext",
    "Principal",
    "Request",
    "RequestTimeout",
    "Response",
    "Router",
    "Schema",
    "SchemaError",
    "Secret",
    "SecretNotFound",
    "ServerSentEvent",
    "Snapshot",
    "StartupError",
    "ValidationError",
    "Validator",
    "WebSocket",
    "WebSocketDisconnect",
    "backend",
    "current_lctx",
    "format_path",
    "gt",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gati' has no attribute {name!r}")
    value = getattr(__import__(home, fromlist=(name,)), name)  # ``gt`` is a submodule
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
