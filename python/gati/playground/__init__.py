"""The Playground: a debugging UI served by the app itself under ``/_gati/`` (DESIGN §10,
docs/playground.md): recent requests with their lifecycle timeline and state at each hook
boundary, replay against any version with a diff, debug gates, and the version timeline.

``App(playground=True)`` turns it on; nothing here is imported otherwise.
"""

from __future__ import annotations

__all__ = ["PREFIX"]

PREFIX = "/_gati/"
