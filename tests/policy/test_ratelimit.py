"""Rate limits over HTTP with the in-memory store (Property 34 end to end: N pass, then 429)."""

from __future__ import annotations

from typing import Any

import pytest

from gati import App, JWTAuth
from gati.testing import TestClient
from tests.policy.keys import HS_KEY, bearer, hs_token


def ok(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
    return "ok"


def test_n_requests_pass_with_ratelimit_headers_then_429() -> None:
    app = App()
    app.get("/books", rate_limit="3/minute")(ok)
    with TestClient(app) as client:
        answers = [client.get("/books") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    first = answers[0].headers
    assert first["ratelimit-limit"] == "3"
    assert first["ratelimit-remaining"] == "2"
    assert first["ratelimit-policy"] == "3;w=60"
    assert first["ratelimit-reset"] == "20"  # one request drips back every 20 s
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "20"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-reset"] == "60"
    assert refused.json()["status"] == 429


def test_the_app_default_applies_and_a_route_can_opt_out_or_override() -> None:
    app = App(rate_limit="1/minute")
    app.get("/default")(ok)
    app.get("/free", rate_limit=False)(ok)
    app.get("/more", rate_limit="3/minute")(ok)
    with TestClient(app) as client:
        assert [client.get("/default").status_code for _ in range(2)] == [200, 429]
        assert [client.get("/free").status_code for _ in range(3)] == [200, 200, 200]
        assert [client.get("/more").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert "ratelimit-limit" not in client.get("/free").headers
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_each_route_and_version_has_its_own_buckets() -> None:
    app = App()
    app.get("/a", rate_limit="1/minute")(ok)
    app.get("/b", rate_limit="1/minute")(ok)
    with TestClient(app) as client:
        assert client.get("/a").status_code == 200
        assert client.get("/b").status_code == 200
    scopes = {r.policy.limiter._prefix for _, _, r in app.routes.routes() if r.policy.limiter}
    assert scopes == {"GET /a|-|", "GET /b|-|"}


def test_burst_and_cost() -> None:
    app = App()
    app.post("/upload", rate_limit="10/hour", burst=4, cost=2)(ok)
    with TestClient(app) as client:
        codes = [client.post("/upload").status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def test_authenticated_clients_are_limited_by_subject_not_ip() -> None:
    app = App(auth=JWTAuth(HS_KEY, algorithms=["HS256"]))
    app.get("/me", rate_limit="1/minute")(ok)
    with TestClient(app) as client:
        assert client.get("/me", headers=bearer(hs_token(sub="alice"))).status_code == 200
        assert client.get("/me", headers=bearer(hs_token(sub="alice"))).status_code == 429
        assert client.get("/me", headers=bearer(hs_token(sub="bob"))).status_code == 200


def test_failed_credentials_draw_from_the_ip_bucket() -> None:
    app = App(auth=JWTAuth(HS_KEY, algorithms=["HS256"]))
    app.get("/me", rate_limit="2/minute")(ok)
    with TestClient(app) as client:
        codes = [client.get("/me", headers=bearer("guess")).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_a_key_function_chooses_the_bucket() -> None:
    app = App()
    app.get("/t", rate_limit="1/minute", key=lambda req, lctx: req.headers.get("x-tenant", ""))(ok)
    with TestClient(app) as client:
        assert client.get("/t", headers={"X-Tenant": "a"}).status_code == 200
        assert client.get("/t", headers={"X-Tenant": "a"}).status_code == 429
        assert client.get("/t", headers={"X-Tenant": "b"}).status_code == 200


def test_clients_behind_a_trusted_proxy_are_told_apart() -> None:
    app = App(trusted_proxies=["127.0.0.1"])
    app.get("/p", rate_limit="1/minute")(ok)

    async def run() -> list[int]:
        from tests.http.conftest import call_raw

        codes = []
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.1"):
            r = await call_raw(app, "GET", "/p", headers=[(b"x-forwarded-for", ip.encode())])
            codes.append(r.status)
        return codes

    import asyncio

    assert asyncio.run(run()) == [200, 200, 429]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rate_limit": "5/fortnight"}, "invalid rate limit"),
        ({"burst": 3}, "need a rate_limit"),
        ({"key": lambda req, lctx: "k"}, "need a rate_limit"),
        ({"rate_limit": "5/minute", "on_store_error": "maybe"}, "on_store_error"),
        ({"rate_limit": True}, "has none"),
        # did nothing without a limit
        ({"on_store_error": "deny"}, "on_store_error= need a rate_limit"),
    ],
)
def test_bad_limit_options_are_refused_at_registration(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        App().get("/x", **options)(ok)
    with pytest.raises(ValueError, match="invalid rate limit"):
        App(rate_limit="often")


def test_a_key_function_that_cannot_take_req_and_lctx_is_refused_at_registration() -> None:
    # it was a 500 at every request
    with pytest.raises(TypeError, match=r"key= must be a callable \(req, lctx\) -> str; .* has"):
        App().get("/x", rate_limit="5/minute", key=lambda req: "k")(ok)
