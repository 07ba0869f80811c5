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

    @app.transformer("/users", from_=V2, to=V3, request_schema=In2, response_schema=Out2)
    class DisplayName:
        def request(self, req: Any, lctx: Any) -> None:
            _rename(req.body, "full_name", "display_name")

        def response(self, res: Any, lctx: Any) -> None:
            _rename(res.body, "display_name", "full_name")

    @app.transformer("/users", from_=V1, to=V2, request_schema=In1, response_schema=Out1)
    class FullName:
        def request(self, req: Any, lctx: Any) -> None:
            _rename(req.body, "name", "full_name")

        def response(self, res: Any, lctx: Any) -> None:
            _rename(res.body, "full_name", "name")

    return app


class UserIn(BaseModel):
    display_name: str
    age: int = Field(ge=0)


class UserOut(BaseModel):
    id: int
    display_name: str
    age: int = Field(ge=0)


class DisplayName(VersionChange):
    description = "full_name is now display_name"
    instructions_to_migrate_to_previous_version = (
        schema(UserIn).field("display_name").had(name="full_name"),
        schema(UserOut).field("display_name").had(name="full_name"),
    )

    @convert_request_to_next_version_for(UserIn)
    def up(request: RequestInfo) -> None:  # type: ignore[misc]
        _rename(request.body, "full_name", "display_name")

    @convert_response_to_previous_version_for(UserOut)
    def down(response: ResponseInfo) -> None:  # type: ignore[misc]
        _rename(response.body, "display_name", "full_name")


class FullName(VersionChange):
    description = "name is now full_name"
    instructions_to_migrate_to_previous_version = (
        schema(UserIn).field("full_name").had(name="name"),
        schema(UserOut).field("full_name").had(name="name"),
    )

    @convert_request_to_next_version_for(UserIn)
    def up(request: RequestInfo) -> None:  # type: ignore[misc]
        _rename(request.body, "name", "full_name")

    @convert_response_to_previous_version_for(UserOut)
    def down(response: ResponseInfo) -> None:  # type: ignore[misc]
        _rename(response.body, "full_name", "name")


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
