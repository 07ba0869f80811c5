"""Module runtimes: ``inprocess`` (a Python object) and ``process`` (JSON-RPC 2.0 to a child)."""

from gati.modules.runtimes.inprocess import InProcessRuntime
from gati.modules.runtimes.process import ProcessRuntime

__all__ = ["InProcessRuntime", "ProcessRuntime"]
