"""``Manifest``: what one handler declares (DESIGN §9), as plain data that round-trips through
JSON, so that it can be stored, compared and turned into documentation without importing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["AnalysisError", "Manifest"]


@dataclass(frozen=True)
class Manifest:
    """One handler: its id, where it is served, its types, hooks, policies and version.

    ``gtypes`` names the schemas of ``request``, ``response``, ``params``, ``query``,
    ``headers`` and ``cookies`` (the names they are bound to in the source); ``hooks`` lists
    ``{"name", "kind", "level"}``; ``policies`` holds ``roles``, ``rate_limit`` and
    ``timeout``; ``timescape`` holds ``version`` and ``fingerprint``; ``dependencies`` are the
    ``gctx.modules`` the handler uses; ``schemas`` holds, per option of ``gtypes``, its core
    schema evaluated from the source (``gati.manifest.evaluate``), or ``{"unresolved": text,
    "reason": why}`` when it cannot be evaluated without running code; ``source`` is
    ``{"file", "line"}``.
    """

    handler_id: str
    path: str
    methods: tuple[str, ...]
    gtypes: Mapping[str, str | None] = field(default_factory=dict)
    hooks: tuple[Mapping[str, str], ...] = ()
    policies: Mapping[str, Any] = field(default_factory=dict)
    timescape: Mapping[str, str | None] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    schemas: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    docs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return str(self.timescape.get("fingerprint") or "")

    @property
    def version(self) -> str | None:
        return self.timescape.get("version")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["methods"] = list(self.methods)
        out["hooks"] = [dict(h) for h in self.hooks]
        out["dependencies"] = list(self.dependencies)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(
            handler_id=data["handler_id"],
            path=data["path"],
            methods=tuple(data["methods"]),
            gtypes=dict(data.get("gtypes", {})),
            hooks=tuple(dict(h) for h in data.get("hooks", ())),
            policies=dict(data.get("policies", {})),
            timescape=dict(data.get("timescape", {})),
            dependencies=tuple(data.get("dependencies", ())),
            schemas=dict(data.get("schemas", {})),
            source=dict(data.get("source", {})),
            docs=dict(data.get("docs", {})),
        )


@dataclass(frozen=True)
class AnalysisError:
    """A problem in one file, at one line; the other files are still analysed."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"
