"""Stripe's classic versioning example, on gati's Timescape: customers had a ``name``; since
2025-06-01 they have ``first_name`` and ``last_name``. Only the new version has an
implementation; a transformer migrates 2025-01-01 requests up and responses back down, so old
clients keep working, and 2025-01-01 answers with ``Deprecation``/``Sunset`` headers.

    curl -s localhost:8000/customers/1 -H "Gati-Version: 2025-01-01"
"""

from __future__ import annotations

from typing import Any

from gati import App, HTTPError, gt

OLD, NEW = "2025-01-01", "2025-06-01"

NameV1 = gt.object({"name": gt.string(min_length=1, max_length=200)}, extra="forbid")
NameV2 = gt.object(
    {
        "first_name": gt.string(min_length=1, max_length=100),
        "last_name": gt.string(max_length=100),
    },
    extra="forbid",
)
CustomerV1 = gt.object({"id": gt.integer(min=1), "name": gt.string()}, extra="forbid")
CustomerV2 = gt.object(
    {"id": gt.integer(min=1), "first_name": gt.string(), "last_name": gt.string()},
    extra="forbid",
)


class SplitName:
    """2025-01-01 → 2025-06-01: ``name`` became ``first_name`` + ``last_name``."""

    def request(self, req: Any, lctx: Any) -> None:
        if isinstance(req.body, dict) and "name" in req.body:
            first, _, last = req.body.pop("name").strip().partition(" ")
            req.body.update(first_name=first, last_name=last)

    def response(self, res: Any, lctx: Any) -> None:
        body = res.body
        if isinstance(body, dict) and "first_name" in body:
            first, last = body.pop("first_name"), body.pop("last_name")
            body["name"] = f"{first} {last}".strip()


def add_customers(app: App) -> None:
    """Add the versioned ``/customers`` routes (the 2025-06-01 implementation, a transformer
    for 2025-01-01) to ``app``, with 2025-06-01 as ``stable``."""
    customers: dict[int, dict[str, Any]] = {
        1: {"id": 1, "first_name": "Ada", "last_name": "Lovelace"}
    }

    @app.post(
        "/customers",
        version=NEW,
        request=NameV2,
        response=CustomerV2,
        responses={201: "The stored customer."},
    )
    async def create_customer(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        customer = {"id": max(customers, default=0) + 1, **req.validated}
        customers[customer["id"]] = customer
        res.status(201).json(customer)

    @app.get("/customers/{id:int}", version=NEW, response=CustomerV2)
    async def get_customer(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        customer = customers.get(req.path_params["id"])
        if customer is None:
            raise HTTPError(404, f"no customer with id {req.path_params['id']}")
        return customer

    app.transformer("/customers", from_=OLD, to=NEW, request_schema=NameV1,
                    response_schema=CustomerV1)(SplitName)  # fmt: skip
    app.transformer("/customers/{id:int}", from_=OLD, to=NEW,
                    response_schema=CustomerV1)(SplitName)  # fmt: skip
    app.timescape.tag("stable", NEW)
    app.timescape.deprecate(OLD, sunset="2027-06-01")
