"""The apps the Timescape benchmarks drive: one route with a 2-hop migration, written once for
gati and once for Cadwyn 8 on FastAPI, with the same two changes.

Versions 2025-01-01 → 2025-03-01 renames ``name`` to ``full_name``; 2025-03-01 → 2025-06-01
renames ``full_name`` to ``display_name``. Only the newest version has an implementation; an
old client's request is migrated up two hops and its response down two hops.
"""

from __future__ import annotations

import functools
from typing import Any

from cadwyn import (
    Cadwyn,
    HeadVersion,
    RequestInfo,
    ResponseInfo,
    Version,
    VersionBundle,
    VersionChange,
    VersionedAPIRouter,
    convert_request_to_next_version_for,
    convert_response_to_previous_version_for,
    schema,
)
from pydantic import BaseModel, Field

V1, V2, V3 = "2025-01-01", "2025-03-01", "2025-06-01"
OLD_BODY = b'{"name": "Ada Lovelace", "age": 36}'


def _rename(body: Any, old: str, new: str) -> None:
    body[new] = body.pop(old)


def _gati_renaming(old: str, new: str) -> type:
    """A gati transformer: a request's ``old`` becomes ``new``, a response's ``new`` ``old``."""

    class Renaming:
        def request(self, req: Any, lctx: Any) -> None:
            _rename(req.body, old, new)

        def response(self, res: Any, lctx: Any) -> None:
            _rename(res.body, new, old)

    return Renaming


def gati_migrating_app() -> Any:
    """gati: the 2025-06-01 implementation plus two transformers."""
    from gati import App, gt

    app = App()
    shape = {"age": gt.integer(min=0)}
    In1, In2, In3 = (
        gt.object({k: gt.string(), **shape}) for k in ("name", "full_name", "display_name")
    )
    Out1, Out2, Out3 = (
        gt.object({"id": gt.integer(), k: gt.string(), **shape})
        for k in ("name", "full_name", "display_name")
    )

    @app.post("/users", version=V3, request=In3, response=Out3)
    async def create_user(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": 1, **req.validated}

    app.transformer("/users", from_=V2, to=V3, request_schema=In2, response_schema=Out2)(
        _gati_renaming("full_name", "display_name")
    )
    app.transformer("/users", from_=V1, to=V2, request_schema=In1, response_schema=Out1)(
        _gati_renaming("name", "full_name")
    )
    return app


class UserIn(BaseModel):
    display_name: str
    age: int = Field(ge=0)


class UserOut(BaseModel):
    id: int
    display_name: str
    age: int = Field(ge=0)


def _cadwyn_renaming(old: str, new: str) -> type[VersionChange]:
    """The same hop as ``_gati_renaming``, as a Cadwyn version change."""

    class Renaming(VersionChange):
        description = f"{old} is now {new}"
        instructions_to_migrate_to_previous_version = (
            schema(UserIn).field(new).had(name=old),
            schema(UserOut).field(new).had(name=old),
        )

        @convert_request_to_next_version_for(UserIn)
        def up(request: RequestInfo) -> None:  # type: ignore[misc]
            _rename(request.body, old, new)

        @convert_response_to_previous_version_for(UserOut)
        def down(response: ResponseInfo) -> None:  # type: ignore[misc]
            _rename(response.body, new, old)

    return Renaming


DisplayName = _cadwyn_renaming("full_name", "display_name")
FullName = _cadwyn_renaming("name", "full_name")


@functools.cache  # Cadwyn binds each VersionChange class to one app only
def cadwyn_migrating_app() -> Any:
    """Cadwyn 8 on FastAPI: the head schemas plus two version changes."""
    router = VersionedAPIRouter()

    @router.post("/users", response_model=UserOut)
    async def create_user(user: UserIn) -> Any:
        return {"id": 1, **user.model_dump()}

    app = Cadwyn(
        versions=VersionBundle(
            HeadVersion(),
            Version(V3, DisplayName),
            Version(V2, FullName),
            Version(V1),
        )
    )
    app.generate_and_include_versioned_routers(router)
    return app
