"""Property 1: a handler must accept (req, res, lctx, gctx); others are refused at registration."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App


def build(n_required: int, n_optional: int, star: bool, kwonly_required: bool) -> Any:
    params = [f"p{i}" for i in range(n_required)]
    params += [f"o{i}=None" for i in range(n_optional)]
    if star:
        params.append("*args")
    if kwonly_required:
        params += (["*"] if not star else []) + ["k"]
    namespace: dict[str, Any] = {}
    exec(f"async def handler({', '.join(params)}):\n    return None", namespace)
    return namespace["handler"]


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 6), st.integers(0, 3), st.booleans(), st.booleans())
def test_property_1_handler_signature(
    n_required: int, n_optional: int, star: bool, kwonly_required: bool
) -> None:
    """Property 1: registration succeeds iff four positional arguments can be bound."""
    fn = build(n_required, n_optional, star, kwonly_required)
    fits = n_required <= 4 and (star or n_required + n_optional >= 4) and not kwonly_required
    app = App()
    if fits:
        app.get("/h")(fn)
    else:
        with pytest.raises(TypeError, match=r"\(req, res, lctx, gctx\)"):
            app.get("/h")(fn)


def test_non_callable_and_sync_lambda() -> None:
    app = App()
    with pytest.raises(TypeError):
        app.get("/x")(42)  # type: ignore[type-var]
    app.get("/y")(lambda req, res, lctx, gctx: None)
