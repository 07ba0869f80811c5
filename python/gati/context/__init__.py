"""Local and Global Contexts and snapshots."""

from gati.context.current import current_lctx
from gati.context.global_ import GlobalContext
from gati.context.local import LocalContext
from gati.context.meta import PHASES, Client
from gati.context.snapshot import Snapshot

__all__ = ["PHASES", "Client", "GlobalContext", "LocalContext", "Snapshot", "current_lctx"]
