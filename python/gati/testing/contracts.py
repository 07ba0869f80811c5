"""``assert_compatible``: catch drift between what a handler passes and what a module accepts."""

from __future__ import annotations

from typing import Any

from gati.gtype.diff import diff

__all__ = ["assert_compatible"]


def assert_compatible(handler_schema: Any, module_method_input: Any) -> None:
    """Fail (``AssertionError`` listing the breaking changes) when ``module_method_input`` may
    reject a value that ``handler_schema`` accepts: ``gt.diff`` read as a request schema going
    from the handler's (old) to the module's (new). ``module_method_input`` may be a ``Method``
    or its input schema."""
    target = getattr(module_method_input, "input", module_method_input)
    changes = diff(handler_schema, target, role="request")
    breaking = [str(c) for c in changes.changes if c.breaking]
    if breaking:
        raise AssertionError(
            "the module's input rejects values the handler accepts:\n  " + "\n  ".join(breaking)
        )
