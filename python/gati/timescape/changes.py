"""Breaking-change detection between consecutive versions of a route (DESIGN §7, Property 14).

Each version carries the schemas clients see: request body, query, path parameters and
response. A step from one version to the next compares them part by part with ``gt.diff`` in
the part's role (the request parts as ``request``, the response as ``response``). A part that
one side declares and the other does not, and a response either side leaves undeclared, cannot
be judged: the step then counts as breaking (conservative), and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the differ itself is imported by the first comparison (start-up time)
    from gati.gtype.diff import Change, Role

__all__ = ["PARTS", "Schemas", "Step", "compare"]

# (part, diff role): the order in which a step lists its changes.
PARTS: tuple[tuple[str, Role], ...] = (
    ("request", "request"),
    ("query", "request"),
    ("params", "request"),
    ("response", "response"),
)


@dataclass(frozen=True, slots=True)
class Schemas:
    """The schemas of one version as declared (GType schemas, core dicts or ``None``)."""

    request: Any = None
    query: Any = None
    params: Any = None
    response: Any = None

    def part(self, name: str) -> Any:
        """The schema of part ``name`` (``request``, ``query``, ``params``, ``response``)."""
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class Step:
    """The move from version ``old`` to version ``new`` of one route.

    ``changes`` are ``(part, Change)`` pairs; ``unjudged`` names the parts that could not be
    compared (a missing schema); ``breaking`` is true when a change breaks clients or a part
    could not be judged.
    """

    old: str
    new: str
    changes: tuple[tuple[str, Change], ...]
    unjudged: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        """True when old clients may break on the new version, or when it cannot be told."""
        return bool(self.unjudged) or any(change.breaking for _, change in self.changes)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for ``changes()`` consumers: docs, OpenAPI, the Playground)."""
        return {
            "from": self.old,
            "to": self.new,
            "breaking": self.breaking,
            "unjudged": list(self.unjudged),
            "changes": [
                {
                    "part": part,
                    "path": list(change.path),
                    "kind": change.kind,
                    "detail": change.detail,
                    "breaking": change.breaking,
                }
                for part, change in self.changes
            ],
        }


def _comparable(schema: Any) -> bool:
    """A schema ``gt.diff`` can read: a GType schema or a core dict (not a bare validator)."""
    return isinstance(schema, dict) or hasattr(schema, "core")


def compare(old_version: str, old: Schemas, new_version: str, new: Schemas) -> Step:
    """The step from ``old`` to ``new``: every change per part, and the parts not judged."""
    from gati.gtype.diff import diff

    changes: list[tuple[str, Change]] = []
    unjudged: list[str] = []
    for part, role in PARTS:
        before, after = old.part(part), new.part(part)
        if before is None and after is None and part != "response":
            continue  # neither side declares this request part: nothing promised either way
        if not (_comparable(before) and _comparable(after)):
            unjudged.append(part)
            continue
        changes.extend((part, change) for change in diff(before, after, role=role).changes)
    return Step(old_version, new_version, tuple(changes), tuple(unjudged))
