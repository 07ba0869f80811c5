"""Chooses, once per process, which implementation backs the hot paths.

``GATI_BACKEND=native`` demands the Rust extension (an ``ImportError`` if it is missing),
``GATI_BACKEND=pure`` uses the Python twins, and no setting means native when importable,
else pure with one warning.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType
from typing import Literal

__all__ = ["BACKEND", "backend", "native"]

_requested = os.environ.get("GATI_BACKEND", "").strip().lower()
if _requested not in ("", "native", "pure"):
    raise ImportError(f"GATI_BACKEND must be 'native' or 'pure', not {_requested!r}")

native: ModuleType | None = None
if _requested != "pure":
    try:
        from gati import _native as native
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
