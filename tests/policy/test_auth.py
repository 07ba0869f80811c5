"""Authentication and roles over HTTP (Property 35: only valid credentials with the required
roles reach the handler)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import jwt
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import APIKeyAuth, App, JWTAuth, Principal, Secret, gt
from gati.policy import AuthenticationFailed
from gati.testing import TestClient
from tests.policy.keys import HS_KEY, bearer, claims, hs_token, rs_token, rsa_pair

seen: dict[str, Any] = {}


def make_app(auth: Any, **route: Any) -> App:
    app = App(auth=auth)

    @app.delete("/books/{id}", roles=["admin"], **route)
    async def delete_book(req: Any, res: Any, lctx: Any, gctx: Any) -> dict[str, Any]:
        seen["principal"] = lctx.meta.principal
        seen["phase_seen"] = lctx.phase
        return {"deleted": req.path_params["id"]}

    @app.post("/books", request=gt.object({"title": gt.string()}))
    async def add_book(req: Any, res: Any, lctx: Any, gctx: Any) -> dict[str, Any]:
        return req.validated  # type: ignore[no-any-return]

    @app.get("/public", auth=False)
    async def public(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "ok"

    return app


HS = JWTAuth(HS_KEY, algorithms=["HS256"])


def test_a_valid_token_with_the_role_reaches_the_handler_with_its_principal() -> None:
    with TestClient(make_app(HS)) as client:
        r = client.delete("/books/1", headers=bearer(hs_token()))
    assert r.status_code == 200, r.text
    assert seen["principal"] == Principal("alice", ["admin"], claims() | seen["principal"].claims)
    assert seen["principal"].subject == "alice"
    assert seen["principal"].claims["roles"] == ["admin"]


def test_missing_credentials_are_401_with_a_challenge() -> None:
    with TestClient(make_app(HS)) as client:
        r = client.delete("/books/1")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="gati"'
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "credentials are required"


def test_a_missing_role_is_403_naming_it() -> None:
    with TestClient(make_app(HS)) as client:
        r = client.delete("/books/1", headers=bearer(hs_token(roles=["reader"])))
    assert r.status_code == 403
    assert r.json()["missing_roles"] == ["admin"]


def test_every_listed_role_is_required() -> None:
    app = App(auth=HS)

    @app.get("/both", roles=["admin", "auditor"])
    async def both(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "ok"

    with TestClient(app) as client:
        assert client.get("/both", headers=bearer(hs_token())).status_code == 403
        token = hs_token(roles="admin auditor")  # a space-separated string counts too
        assert client.get("/both", headers=bearer(token)).status_code == 200


def test_auth_runs_before_validation() -> None:
    with TestClient(make_app(HS)) as client:
        r = client.post("/books", json={"title": 5})
        assert r.status_code == 401
        r = client.post("/books", json={"title": 5}, headers=bearer(hs_token()))
        assert r.status_code == 400


def test_the_principal_phase_is_recorded() -> None:
    phases: list[str] = []
    app = App(auth=HS)

    @app.hook("before")
    async def watch(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        phases.append(lctx.phase)

    @app.get("/me")
    async def me(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return str(lctx.meta.principal.subject)

    with TestClient(app) as client:
        assert client.get("/me", headers=bearer(hs_token())).json() == "alice"
    assert phases == ["authenticated"]


def test_auth_false_makes_a_route_public() -> None:
    with TestClient(make_app(HS)) as client:
        assert client.get("/public").status_code == 200
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (hs_token(exp=int(time.time()) - 60), "token expired"),
        (hs_token(nbf=int(time.time()) + 43_200), "token not yet valid"),
        (hs_token(key="another-key-" + "0123456789abcdef" * 4), "token signature invalid"),
        (jwt.encode({"sub": "alice", "roles": ["admin"]}, HS_KEY, algorithm="HS256"),
         "token lacks the 'exp' claim"),
        (jwt.encode(claims(), HS_KEY, algorithm="HS512"), "token algorithm not allowed"),
        (jwt.encode(claims(), None, algorithm="none"), "token algorithm not allowed"),
        (rs_token(), "token algorithm not allowed"),
        (hs_token(sub=""), "token lacks a 'sub' string claim"),
        ("not.a.jwt", "malformed token"),
    ],
)  # fmt: skip
def test_bad_tokens_are_401_invalid_token(token: str, detail: str) -> None:
    with TestClient(make_app(HS)) as client:
        r = client.delete("/books/1", headers=bearer(token))
    assert r.status_code == 401
    assert r.json()["detail"] == detail
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_issuer_and_audience_are_verified_when_configured() -> None:
    auth = JWTAuth(Secret(HS_KEY), algorithms=["HS256"], issuer="https://id", audience="books")
    with TestClient(make_app(auth)) as client:
        good = hs_token(iss="https://id", aud="books")
        assert client.delete("/books/1", headers=bearer(good)).status_code == 200
        for bad in (hs_token(iss="https://evil", aud="books"), hs_token(iss="https://id")):
            assert client.delete("/books/1", headers=bearer(bad)).status_code == 401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_rs256_verifies_with_the_public_key_and_refuses_hs_confusion() -> None:
    """An HS256 token signed with the RSA public key as HMAC secret (the classic confusion
    attack) is refused."""
    public = rsa_pair()[1]
    header = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    signing = f"{header}.{_b64(orjson.dumps(claims()))}"
    forged = f"{signing}.{_b64(hmac.new(public, signing.encode(), hashlib.sha256).digest())}"
    with TestClient(make_app(JWTAuth(public, algorithms=["RS256"]))) as client:
        assert client.delete("/books/1", headers=bearer(rs_token())).status_code == 200
        r = client.delete("/books/1", headers=bearer(forged))
    assert r.status_code == 401
    assert r.json()["detail"] == "token algorithm not allowed"


def test_unsafe_configurations_are_refused() -> None:
    with pytest.raises(ValueError, match="none"):
        JWTAuth(HS_KEY, algorithms=["none"])
    with pytest.raises(ValueError, match="mix"):
        JWTAuth(HS_KEY, algorithms=["HS256", "RS256"])
    with pytest.raises(ValueError, match="algorithms"):
        JWTAuth(HS_KEY, algorithms=[])
    with pytest.raises(ValueError, match="exactly one"):
        JWTAuth(algorithms=["RS256"])
    with pytest.raises(ValueError, match="public keys"):
        JWTAuth(jwks_url="http://127.0.0.1:1/jwks", algorithms=["HS256"])
    with pytest.raises(ValueError, match="unsupported"):
        JWTAuth(HS_KEY, algorithms=["HS999"])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        # each letter became a required claim: every token was refused
        ({"require": "exp"}, TypeError, r"require= takes a list of claims, not one string"),
        ({"leeway": -5}, ValueError, r"leeway must be a number of seconds >= 0, not -5"),
        ({"key": ""}, ValueError, r"JWTAuth's key is empty"),
        ({"key": Secret("")}, ValueError, r"JWTAuth's key is empty"),
    ],
)
def test_jwt_options_that_refuse_every_token_are_refused(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        JWTAuth(**{"key": HS_KEY, "algorithms": ["HS256"], **options})


@pytest.mark.parametrize(
    ("option", "value", "bound"),
    [("jwks_ttl", -1, ">= 0"), ("jwks_min_refetch", -1, ">= 0"), ("jwks_timeout", 0, "> 0")],
)
def test_jwks_timings_out_of_range_are_refused(option: str, value: float, bound: str) -> None:
    with pytest.raises(ValueError, match=f"{option} must be a number of seconds {bound}"):
        JWTAuth(jwks_url="https://idp.example/jwks", algorithms=["RS256"], **{option: value})


def test_auth_callables_that_would_fail_every_request_are_refused_at_configuration() -> None:
    def sync_auth(req: Any) -> None: ...

    async def no_request() -> None: ...

    # each was accepted and made every request a 500
    with pytest.raises(TypeError, match=r"auth= takes async callables.*is not async"):
        App(auth=sync_auth)
    with pytest.raises(TypeError, match=r"auth= takes async callables.*has \(\)"):
        App().get("/x", auth=[no_request])(lambda req, res, lctx, gctx: None)
    with pytest.raises(TypeError, match=r"lookup= takes an async.*is not async"):
        APIKeyAuth(lookup=sync_auth)  # type: ignore[arg-type]
    # a header no request can carry refused every key
    for header in ("", "X API Key", "X-Key:"):
        with pytest.raises(ValueError, match="header= must be an HTTP header name"):
            APIKeyAuth({"k-1234": "bob"}, header=header)


def test_roles_without_an_authenticator_are_refused_at_registration() -> None:
    app = App()
    with pytest.raises(ValueError, match="need an authenticator"):
        app.delete("/books/{id}", roles=["admin"])(lambda req, res, lctx, gctx: None)
    with pytest.raises(TypeError, match="list of role names"):
        App(auth=HS).get("/x", roles="admin")(lambda req, res, lctx, gctx: None)


KEYS = APIKeyAuth({"k-admin-1234": Principal("ops", ["admin"]), Secret("k-reader-5678"): "bob"})


def test_api_keys_from_either_header() -> None:
    with TestClient(make_app(KEYS)) as client:
        r = client.delete("/books/1", headers={"X-API-Key": "k-admin-1234"})
        assert r.status_code == 200
        assert seen["principal"] == Principal("ops", ["admin"])
        r = client.delete("/books/1", headers={"Authorization": "ApiKey k-admin-1234"})
        assert r.status_code == 200
        r = client.delete("/books/1", headers={"X-API-Key": "k-reader-5678"})
        assert r.status_code == 403
        r = client.delete("/books/1", headers={"X-API-Key": "k-admin-1235"})
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'ApiKey realm="gati", error="invalid_token"'


def test_api_key_lookup_and_several_authenticators() -> None:
    async def lookup(key: str) -> Principal | None:
        return Principal("db-user", ["admin"]) if key == "from-db" else None

    auth = [HS, APIKeyAuth(lookup=lookup)]
    with TestClient(make_app(auth)) as client:
        assert client.delete("/books/1", headers={"X-API-Key": "from-db"}).status_code == 200
        assert client.delete("/books/1", headers=bearer(hs_token())).status_code == 200
        r = client.delete("/books/1")
        assert r.headers["www-authenticate"] == 'Bearer realm="gati", ApiKey realm="gati"'


def test_a_custom_authenticator_is_any_async_callable() -> None:
    async def by_cookie(req: Any) -> Principal | None:
        session = req.headers.get("cookie", "")
        if not session:
            return None
        if session != "session=ok":
            raise AuthenticationFailed("unknown session")
        return Principal("carol", ["admin"])

    with TestClient(make_app(by_cookie)) as client:
        assert client.delete("/books/1", headers={"Cookie": "session=ok"}).status_code == 200
        r = client.delete("/books/1", headers={"Cookie": "session=no"})
        assert (r.status_code, r.json()["detail"]) == (401, "unknown session")
        assert client.delete("/books/1").status_code == 401


def test_route_policy_describes_auth_roles_and_limits() -> None:
    app = App(auth=[HS, KEYS])

    @app.delete("/x", roles=["admin"], rate_limit="5/minute", burst=2)
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    route = next(r for _, p, r in app.routes.routes() if p == "/x")
    assert route.policy.describe() == {
        "auth": [
            {"type": "http", "scheme": "bearer"},
            {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        ],
        "roles": ["admin"],
        "rate_limit": {"limit": 5, "period": 60, "burst": 2, "cost": 1},
        "audited": False,
    }
    assert route.policy.requires_auth


GOOD = hs_token()


def _decoded(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]


def _mutations() -> st.SearchStrategy[str]:
    good = GOOD

    def mutate(edits: list[tuple[int, str]]) -> str:
        chars = list(good)
        for index, char in edits:
            chars[index % len(chars)] = char
        return "".join(chars)

    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=")
    return st.lists(st.tuples(st.integers(0, 10_000), alphabet), min_size=1, max_size=5).map(
        mutate
    ).filter(lambda t: t != good) | st.integers(1, len(good) - 1).map(lambda n: good[:n])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_property_35_mutated_tokens_never_authenticate(token: str) -> None:
    """Property 35: a token changed anywhere never reaches a role-protected handler."""
    app = make_app(HS)
    with TestClient(app) as client:
        r = client.delete("/books/1", headers=bearer(token))
    # base64url may decode two spellings of the last character to the same bytes: such a
    # token is the same token, and only then may it pass
    if r.status_code == 200:
        assert _decoded(token) == _decoded(GOOD)
    else:
        assert r.status_code == 401


header_values = st.one_of(
    st.text(max_size=300),
    st.builds(lambda s, t: f"{s} {t}", st.sampled_from(["Bearer", "bearer", "ApiKey", "Basic",
                                                          "", "Bearer  "]), st.text(max_size=200)),
    st.binary(max_size=200).map(lambda b: "Bearer " + b.decode("latin-1")),
    st.just("Bearer " + "A" * 20000),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(header_values, st.sampled_from(["jwt", "keys", "both"]))
async def test_fuzzed_authorization_headers_never_give_a_5xx(value: str, which: str) -> None:
    from tests.http.conftest import call_raw

    auth = {"jwt": HS, "keys": KEYS, "both": [HS, KEYS]}[which]
    encoded = value.encode("latin-1", "replace")
    r = await call_raw(make_app(auth), "DELETE", "/books/1", headers=[(b"authorization", encoded)])
    assert r.status in (401, 403), r.body


def test_verified_tokens_are_remembered_boundedly_and_never_past_their_expiry() -> None:
    auth = JWTAuth(HS_KEY, algorithms=["HS256"], cache_size=4)
    with TestClient(make_app(auth)) as client:
        tokens = [hs_token(sub=f"user{i}") for i in range(10)]
        for token in tokens:
            assert client.delete("/books/1", headers=bearer(token)).status_code == 200
        assert len(auth._verified) == 4
        expired = hs_token(exp=int(time.time()) - 60)
        auth._verified[expired] = (time.time() - 1, Principal("alice", ["admin"]))
        r = client.delete("/books/1", headers=bearer(expired))
        assert (r.status_code, r.json()["detail"]) == (401, "token expired")
        assert expired not in auth._verified


role_sets = st.frozensets(st.sampled_from(["admin", "editor", "reader", "auditor"]), max_size=4)


@settings(max_examples=60, deadline=None)
@given(role_sets.filter(bool), role_sets)
def test_property_35_a_principal_passes_exactly_when_it_holds_every_required_role(
    required: frozenset[str], held: frozenset[str]
) -> None:
    """Property 35: 200 when the principal's roles include all required ones, else 403."""
    app = App(auth=APIKeyAuth({"key-0123456789": Principal("p", held)}))
    app.get("/r", roles=sorted(required))(lambda req, res, lctx, gctx: "ok")
    with TestClient(app) as client:
        r = client.get("/r", headers={"X-API-Key": "key-0123456789"})
    assert r.status_code == (200 if required <= held else 403)
    if r.status_code == 403:
        assert r.json()["missing_roles"] == sorted(required - held)
