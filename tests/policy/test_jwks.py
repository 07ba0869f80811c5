"""JWTAuth with a JWKS URL served by a real HTTP server: fetched off the event loop, cached,
refetched for rotated keys, kept through an outage."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gati import App, JWTAuth
from gati.testing import AsyncTestClient, TestClient
from tests.policy.keys import bearer, rs_token, rsa_pair


class JWKSServer:
    """Serves ``document`` at /jwks; counts fetches; ``fail`` makes it answer 500."""

    def __init__(self) -> None:
        public = load_pem_public_key(rsa_pair()[1])
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        self.document: dict[str, Any] = {"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]}
        self.fetches = 0
        self.fail = False
        self.release = threading.Event()
        self.release.set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                owner.release.wait(10)
                body = json.dumps(owner.document).encode()
                self.send_response(500 if owner.fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def jwks() -> Iterator[JWKSServer]:
    server = JWKSServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.httpd.shutdown()
        server.httpd.server_close()


def app_for(auth: JWTAuth) -> App:
    app = App(auth=auth)
    app.get("/me")(lambda req, res, lctx, gctx: lctx.meta.principal.subject)
    return app


def test_keys_are_fetched_once_and_cached(jwks: JWKSServer) -> None:
    auth = JWTAuth(jwks_url=jwks.url, algorithms=["RS256"])
    with TestClient(app_for(auth)) as client:
        for _ in range(5):
            r = client.get("/me", headers=bearer(rs_token(kid="k1")))
            assert (r.status_code, r.json()) == (200, "alice")
    assert jwks.fetches == 1


def test_an_unknown_kid_refetches_at_most_once_per_interval(jwks: JWKSServer) -> None:
    auth = JWTAuth(jwks_url=jwks.url, algorithms=["RS256"], jwks_min_refetch=3600)
    with TestClient(app_for(auth)) as client:
        assert client.get("/me", headers=bearer(rs_token(kid="k1"))).status_code == 200
        for _ in range(5):
            r = client.get("/me", headers=bearer(rs_token(kid="rotated")))
            assert r.status_code == 401
            assert r.json()["detail"] == "token signed by an unknown key"
    assert jwks.fetches == 1

    rotating = JWTAuth(jwks_url=jwks.url, algorithms=["RS256"], jwks_min_refetch=0)
    with TestClient(app_for(rotating)) as client:
        assert client.get("/me", headers=bearer(rs_token(kid="k1"))).status_code == 200
        jwks.document["keys"][0]["kid"] = "k2"
        assert client.get("/me", headers=bearer(rs_token(kid="k2"))).status_code == 200


def test_cached_keys_survive_an_outage_and_no_keys_at_all_is_503(jwks: JWKSServer) -> None:
    auth = JWTAuth(jwks_url=jwks.url, algorithms=["RS256"], jwks_ttl=0, jwks_min_refetch=0)
    with TestClient(app_for(auth)) as client:
        assert client.get("/me", headers=bearer(rs_token(kid="k1"))).status_code == 200
        jwks.fail = True
        assert client.get("/me", headers=bearer(rs_token(kid="k1"))).status_code == 200
    cold = JWTAuth(jwks_url=jwks.url, algorithms=["RS256"])
    with TestClient(app_for(cold)) as client:
        r = client.get("/me", headers=bearer(rs_token(kid="k1")))
    assert r.status_code == 503


async def test_a_slow_jwks_fetch_does_not_block_other_requests(jwks: JWKSServer) -> None:
    """The fetch runs in a worker thread: while it waits on the identity provider, a public
    route on the same event loop is served."""
    app = app_for(JWTAuth(jwks_url=jwks.url, algorithms=["RS256"]))
    app.get("/public", auth=False)(lambda req, res, lctx, gctx: "up")
    finished: list[str] = []
    jwks.release.clear()
    async with AsyncTestClient(app) as client:

        async def authenticated() -> None:
            r = await client.get("/me", headers=bearer(rs_token(kid="k1")))
            assert r.status_code == 200
            finished.append("authenticated")

        async def public() -> None:
            for _ in range(1000):  # until the fetch has started (the server now holds it)
                if jwks.fetches:
                    break
                await asyncio.sleep(0.01)
            assert (await client.get("/public")).status_code == 200
            finished.append("public")
            jwks.release.set()

        await asyncio.gather(authenticated(), public())
    assert finished == ["public", "authenticated"]
