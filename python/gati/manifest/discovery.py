"""``App.from_directory(path)``: serve a tree of handler files (file-based discovery).

The analyzer decides what is a handler and where it is served (``users/{id}.py`` with
``get``/``post``/… functions → ``/users/{id}``, docstring tags for policies and versions);
only then are the files imported, each under a private module name, and their handlers
registered with the options the analysis found.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from gati.manifest.analyzer import analyze_directory

__all__ = ["register_directory"]


def _load(root: Path, file: str, prefix: str) -> Any:
    name = (
        prefix
        + "."
        + file.removesuffix(".py")
        .replace("/", ".")
        .replace("{", "_")
        .replace("}", "_")
        .replace(":", "_")
    )
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, root / file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {root / file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def register_directory(app: Any, root: str | Path) -> None:
    """Register every handler found below ``root`` on ``app``; a malformed file is a
    ``ValueError`` listing each problem with its file and line."""
    base = Path(root)
    if not base.is_dir():
        raise ValueError(f"not a directory: {base}")
    analysis = analyze_directory(base)
    if analysis.errors:
        raise ValueError("; ".join(str(e) for e in analysis.errors))
    prefix = f"gati_handlers_{abs(hash(base.resolve())):x}"
    for manifest in analysis.manifests:
        module = _load(base, str(manifest.source["file"]), prefix)
        name = manifest.handler_id.rsplit(".", 1)[-1]
        handler = getattr(module, name)
        schemas = {
            key: getattr(module, ref) if ref and ref.isidentifier() else None
            for key, ref in manifest.gtypes.items()
            if key != "headers"
        }
        policies = manifest.policies
        app.route(
            manifest.methods[0],
            manifest.path,
            **schemas,
            roles=policies.get("roles") or None,
            rate_limit=policies.get("rate_limit"),
            timeout=... if policies.get("timeout") is None else policies["timeout"],
            version=manifest.version,
            id=manifest.handler_id,
        )(handler)
