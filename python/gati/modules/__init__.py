"""Modules: typed RPC to in-process objects and to child processes, with capabilities declared
in a manifest and checked on every use (docs/modules.md)."""

from gati.modules.calls import MethodCaller, ModuleProxy
from gati.modules.capabilities import ModuleContext
from gati.modules.egress import host_allowed
from gati.modules.errors import (
    CapabilityError,
    ManifestError,
    ModuleError,
    ModuleTimeout,
    ModuleUnavailable,
)
from gati.modules.manifest import CAPABILITIES, Method, ModuleManifest
from gati.modules.registry import ModuleRegistry
from gati.modules.serve import serve
from gati.modules.stub import stub

__all__ = [
    "CAPABILITIES",
    "CapabilityError",
    "ManifestError",
    "Method",
    "MethodCaller",
    "ModuleContext",
    "ModuleError",
    "ModuleManifest",
    "ModuleProxy",
    "ModuleRegistry",
    "ModuleTimeout",
    "ModuleUnavailable",
    "host_allowed",
    "serve",
    "stub",
]
