"""``ModuleManifest`` and ``Method``: what a module is, what it may touch, what it answers.

A manifest is checked when it is built, so an app never starts with a module it could not call:
unknown capabilities, egress hosts without ``network:egress``, bad method names and schemas
that do not compile are refused with ``ManifestError`` (Property 40).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from gati.errors import SchemaError
from gati.gtype.schema import Schema
from gati.gtype.validator import compile_schema
from gati.modules.errors import ManifestError

__all__ = ["CAPABILITIES", "Method", "ModuleManifest", "Runtime"]

Runtime = Literal["inprocess", "process"]
CAPABILITIES: Final = frozenset(
    {"secrets:read", "pubsub:publish", "pubsub:subscribe", "metrics:write", "network:egress"}
)
CALL_PREFIX: Final = "modules:call:"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Method:
    """One RPC method: keyword arguments validated by ``input`` (an object schema), the result
    by ``output``; ``timeout`` seconds per attempt; ``retries`` extra attempts (capped
    exponential backoff) on transport failures, and on timeouts only when ``idempotent``.
    Keyword arguments outside ``input`` are refused unless ``input`` sets ``extra``."""

    input: Schema
    output: Schema
    timeout: float = 5.0
    idempotent: bool = False
    retries: int = 0
    description: str = ""
    validate_input: Any = field(init=False, repr=False, compare=False)
    validate_output: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for role in ("input", "output"):
            if not isinstance(getattr(self, role), Schema):
                raise ManifestError(
                    f"Method {role} must be a gt schema, not {getattr(self, role)!r}"
                )
        if self.input.kind != "object":
            raise ManifestError(
                f"Method input must be gt.object(...) (its keys are the keyword arguments), "
                f"not {self.input.kind}"
            )
        if not self.timeout > 0:
            raise ManifestError(f"Method timeout must be > 0, not {self.timeout!r}")
        if self.retries < 0:
            raise ManifestError(f"Method retries must be >= 0, not {self.retries!r}")
        # Keyword arguments the method does not name are refused, as Python refuses them,
        # unless the schema chose what to do with extra keys itself.
        core = self.input.core()
        arguments = Schema({**core, "extra": "forbid"}) if "extra" not in core else self.input
        try:
            object.__setattr__(self, "validate_input", compile_schema(arguments).validate)
            object.__setattr__(self, "validate_output", compile_schema(self.output).validate)
        except SchemaError as exc:
            raise ManifestError(f"a Method schema does not compile: {exc}") from exc


def _check_host_pattern(pattern: str) -> str:
    """``api.example.com`` or ``*.example.org`` (one leading wildcard label), lower-cased."""
    host = pattern.lower().rstrip(".")
    labels = host.split(".")
    if labels[0] == "*":
        labels = labels[1:]
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ManifestError(
            f"egress entry {pattern!r} must be a host name such as 'api.example.com' or "
            "'*.example.org' (no scheme, port, path or inner wildcard)"
        )
    return host


@dataclass(frozen=True, slots=True)
class ModuleManifest:
    """A module's identity and contract. ``capabilities`` are drawn from ``CAPABILITIES`` plus
    ``modules:call:<id>``; ``egress`` lists the hosts ``network:egress`` may reach."""

    id: str
    version: str = "0.0.0"
    runtime: Runtime = "inprocess"
    capabilities: frozenset[str] = frozenset()
    methods: Mapping[str, Method] = field(default_factory=dict)
    egress: tuple[str, ...] = ()
    description: str = ""

    def __init__(
        self,
        id: str,
        version: str = "0.0.0",
        runtime: Runtime = "inprocess",
        capabilities: Iterable[str] = (),
        methods: Mapping[str, Method] | None = None,
        egress: Iterable[str] = (),
        description: str = "",
    ) -> None:
        for option, given in (("capabilities", capabilities), ("egress", egress)):
            if isinstance(given, str):  # else checked letter by letter: "unknown capability 'n'"
                raise ManifestError(f"{option}= is a list, not one string: {option}=[{given!r}]")
        caps = frozenset(capabilities)
        hosts = tuple(_check_host_pattern(h) for h in egress)
        if not (isinstance(id, str) and id.isidentifier()):
            raise ManifestError(f"module id must be a Python identifier, not {id!r}")
        if runtime not in ("inprocess", "process"):
            raise ManifestError(f"runtime must be 'inprocess' or 'process', not {runtime!r}")
        for cap in sorted(caps):
            if cap in CAPABILITIES:
                continue
            target = cap[len(CALL_PREFIX) :] if cap.startswith(CALL_PREFIX) else None
            if target is None or not target.isidentifier():
                known = ", ".join(sorted(CAPABILITIES)) + ", modules:call:<id>"
                raise ManifestError(f"module {id!r}: unknown capability {cap!r} (known: {known})")
        if hosts and "network:egress" not in caps:
            raise ManifestError(f"module {id!r} lists egress hosts without 'network:egress'")
        for name, method in (methods or {}).items():
            if not name.isidentifier() or name.startswith("_"):
                raise ManifestError(f"module {id!r}: method name {name!r} is not public")
            if not isinstance(method, Method):
                raise ManifestError(f"module {id!r}: method {name!r} must be a Method")
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "runtime", runtime)
        object.__setattr__(self, "capabilities", caps)
        object.__setattr__(self, "methods", dict(methods or {}))
        object.__setattr__(self, "egress", hosts)
        object.__setattr__(self, "description", description)

    def allows(self, capability: str) -> bool:
        """True when ``capability`` was declared."""
        return capability in self.capabilities

    def missing(self, impl: object) -> list[str]:
        """The manifest's methods that ``impl`` does not have (as callables)."""
        return [name for name in self.methods if not callable(getattr(impl, name, None))]

    def method(self, name: str) -> Method:
        """The method called ``name``; ``KeyError`` naming the known ones otherwise."""
        try:
            return self.methods[name]
        except KeyError:
            known = ", ".join(sorted(self.methods)) or "none"
            raise KeyError(
                f"module {self.id!r} has no method {name!r} (methods: {known})"
            ) from None
