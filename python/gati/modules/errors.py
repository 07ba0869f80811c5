"""The exceptions of the module system: a refused manifest, a refused capability, a failed call."""

from __future__ import annotations

from typing import Any

from gati.errors import GatiError

__all__ = [
    "APPLICATION_ERROR",
    "INVALID_PARAMS",
    "METHOD_NOT_FOUND",
    "OUTPUT_INVALID",
    "TIMEOUT",
    "UNAVAILABLE",
    "CapabilityError",
    "ManifestError",
    "ModuleError",
    "ModuleTimeout",
    "ModuleUnavailable",
]

# JSON-RPC 2.0 codes (-32602, -32601) and gati's own in the server-error range.
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
APPLICATION_ERROR = -32000
TIMEOUT = -32001
UNAVAILABLE = -32002
OUTPUT_INVALID = -32003


class ManifestError(GatiError, ValueError):
    """A module manifest was refused at registration (unknown capability, egress without
    ``network:egress``, a schema that does not compile, a bad method name)."""


class CapabilityError(GatiError, PermissionError):
    """A module used something its manifest did not declare."""


class ModuleError(GatiError):
    """A module call failed: ``module``, ``method``, and the remote error's ``code``,
    ``message`` and optional ``data`` (JSON-RPC 2.0 error members)."""

    def __init__(self, module: str, method: str, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"module {module!r} method {method!r} failed [{code}]: {message}")
        self.module = module
        self.method = method
        self.code = code
        self.message = message
        self.data = data


class ModuleUnavailable(ModuleError):
    """The transport failed: the module is down or restarting, its process died mid-call, or
    it answered with malformed JSON-RPC. Retried for idempotent methods; for the others only
    when the request was never sent (docs/modules.md, "Retries")."""

    def __init__(self, module: str, method: str, message: str, *, sent: bool) -> None:
        super().__init__(module, method, UNAVAILABLE, message)
        self.sent = sent


class ModuleTimeout(ModuleError, TimeoutError):
    """One attempt of a call ran past the method's timeout (retried only when idempotent)."""

    def __init__(self, module: str, method: str, timeout: float) -> None:
        super().__init__(module, method, TIMEOUT, f"no answer within {timeout} s")
