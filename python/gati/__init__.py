"""gati: an ASGI framework with typed schemas, request contexts and an ordered hook lifecycle."""

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
from gati.http import HTTPError, Request, Response
from gati.lifecycle import Backoff, Emitter, Hook, Orchestrator, RoutePlan, plan_route
from gati.policy import APIKeyAuth, JWTAuth, Principal
from gati.secrets import Secret, SecretNotFound

__all__ = [
    "APIKeyAuth",
    "App",
    "Backoff",
    "Emitter",
    "GatiError",
    "GlobalContext",
    "HTTPError",
    "Hook",
    "HookError",
    "JWTAuth",
    "LocalContext",
    "ModuleNotFoundError",
    "NoRequestContext",
    "Orchestrator",
    "Principal",
    "Request",
    "RequestTimeout",
    "Response",
    "RoutePlan",
    "Schema",
    "SchemaError",
    "Secret",
    "SecretNotFound",
    "Snapshot",
    "StartupError",
    "ValidationError",
    "Validator",
    "backend",
    "current_lctx",
    "format_path",
    "gt",
    "plan_route",
]
__version__ = "0.1.0"
