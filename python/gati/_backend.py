"""The backend registry: the one module that decides native or pure and names every twin pair.

``GATI_BACKEND=native`` demands the Rust extension (an ``ImportError`` if it is missing),
``GATI_BACKEND=pure`` uses the Python twins, and no setting means native when importable,
else pure with one ``RuntimeWarning``. That warning is the only fallback: once the native
backend is chosen, every twin comes from the extension, and a twin the extension lacks is an
``ImportError`` naming it, never a quiet switch to its pure twin.

Modules above the twins never import ``gati._native`` or ``gati._pure``; they ask here::

    from gati._backend import twin

    Router = twin("Router")

Adding a twin pair (a native piece with its pure-Python twin) takes one line in ``TWINS``:
the name the rest of gati asks for, the attribute of ``gati._native``, and
``"module:attribute"`` of the pure twin (a module under ``gati._pure``). The pure side is
imported only when it is the active one (or when a test asks for both with ``pair``), so a
native process never loads the pure validator. ``tests/test_backend.py`` checks that every
registered name resolves to the native object under ``GATI_BACKEND=native`` and to the pure
one under ``pure``, and ``tests/test_imports.py`` that nothing else names the twins.
"""

from __future__ import annotations

import importlib
import os
import warnings

# ``import gati`` imports this module (so a bad GATI_BACKEND or a missing extension fails
# there), and ``typing`` would double that import's cost: the names are for type checkers only,
# which read any ``TYPE_CHECKING`` as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any, Final, Literal

__all__ = ["BACKEND", "TWINS", "backend", "native", "pair", "twin"]

# name → (attribute of gati._native, "module:attribute" of the pure twin)
TWINS: Final[dict[str, tuple[str, str]]] = {
    "Validator": ("Validator", "gati._pure.gtype:Validator"),
    "StateStore": ("StateStore", "gati._pure.state:StateStore"),
    "StateSnapshot": ("StateSnapshot", "gati._pure.state:StateSnapshot"),
    "Snapshot": ("Snapshot", "gati._pure.snapshot:Snapshot"),
    "take_snapshot": ("take_snapshot", "gati._pure.snapshot:take_snapshot"),
    "copy_value": ("copy_value", "gati._pure.values:copy_value"),
    "plan_hooks": ("plan_hooks", "gati._pure.hooks:plan_hooks"),
    "Router": ("Router", "gati._pure.router:Router"),
    "scan_headers": ("scan_headers", "gati._pure.ingress:scan_headers"),
    "read_ingress": ("read_ingress", "gati._pure.ingress:read_ingress"),
    "read_ingress_head": ("read_ingress_head", "gati._pure.ingress:read_ingress_head"),
    "Ingress": ("Ingress", "gati._pure.ingress:Ingress"),
    "response_messages": ("response_messages", "gati._pure.messages:response_messages"),
    "RecordCore": ("RecordCore", "gati._pure.record:RecordCore"),
    "RingBuffer": ("RingBuffer", "gati._pure.ring:RingBuffer"),
    "Watchdog": ("Watchdog", "gati._pure.watchdog:Watchdog"),
    "new_request_id": ("new_request_id", "gati._pure.ids:new_request_id"),
    "reseed_request_ids": ("_reseed_request_ids", "gati._pure.ids:reseed"),
}

_requested = os.environ.get("GATI_BACKEND", "").strip().lower()
if _requested not in ("", "native", "pure"):
    raise ImportError(f"GATI_BACKEND must be 'native' or 'pure', not {_requested!r}")

native: ModuleType | None = None
if _requested != "pure":
    try:
        native = importlib.import_module("gati._native")
    except ImportError as exc:
        if _requested == "native":
            raise ImportError(
                "GATI_BACKEND=native but the gati._native extension cannot be imported "
                f"({exc}); build it with `maturin develop --release` or install a gati wheel"
            ) from exc
        warnings.warn(
            "gati: the native extension is not importable; using the pure-Python backend",
            RuntimeWarning,
            stacklevel=2,
        )

BACKEND: Literal["native", "pure"] = "native" if native is not None else "pure"


def backend() -> Literal["native", "pure"]:
    """Return which backend this process uses: ``"native"`` or ``"pure"``."""
    return BACKEND


def _native_side(name: str, extension: ModuleType) -> Any:
    attribute = TWINS[name][0]
    try:
        return getattr(extension, attribute)
    except AttributeError:
        raise ImportError(
            f"gati._native has no {attribute!r} (twin {name!r}): rebuild the extension"
        ) from None


def _pure_side(name: str) -> Any:
    module, _, attribute = TWINS[name][1].partition(":")
    return getattr(importlib.import_module(module), attribute)


def twin(name: str) -> Any:
    """The active backend's implementation registered as ``name`` (a ``KeyError`` if none)."""
    if name not in TWINS:
        raise KeyError(f"no twin pair is registered as {name!r}; add it to gati._backend.TWINS")
    if native is not None:
        return _native_side(name, native)
    return _pure_side(name)


def pair(name: str) -> tuple[Any, Any]:
    """``(native, pure)`` implementations of ``name``, for differential tests (whichever backend
    is active; an ``ImportError`` without the extension)."""
    return _native_side(name, importlib.import_module("gati._native")), _pure_side(name)
