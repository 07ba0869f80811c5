"""gati: an ASGI framework with typed schemas, request contexts and an ordered hook lifecycle.

This module is the public API. The lifecycle engine (``Orchestrator``, ``RoutePlan``,
``plan_route``, ``Emitter``), for running route plans without an ``App``, is the documented
subpackage ``gati.lifecycle`` (docs/lifecycle.md).
"""

from gati._backend import backend
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
