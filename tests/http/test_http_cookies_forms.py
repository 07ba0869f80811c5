"""Cookies, forms and uploads, and typed ``headers=``/``cookies=`` schemas."""

from __future__ import annotations

from typing import Any

import pytest

from gati import App, FormLimits, gt
from gati.http.response import Response
from gati.testing import TestClient


def test_cookies_are_read_and_set_and_deleted() -> None:
    app = App()

    @app.get("/login")
    async def login(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.set_cookie("session", "abc", max_age=60, httponly=True, secure=True, samesite="strict")
        res.set_cookie("theme", "dark")
        return {"had": req.cookies}

    @app.get("/logout")
    async def logout(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.delete_cookie("session").status(204)

    client = TestClient(app)
    r = client.get("/login", headers={"Cookie": "a=1; b=two"})
    assert r.json() == {"had": {"a": "1", "b": "two"}}
    cookies = r.headers.get_list("set-cookie")
    assert cookies[0] == "session=abc; HttpOnly; Max-Age=60; Path=/; SameSite=strict; Secure"
    assert cookies[1] == "theme=dark; Path=/; SameSite=lax"
    r = client.get("/logout")
    assert r.status_code == 204
    assert 'session=""; expires=' in r.headers["set-cookie"]
    assert "Max-Age=0" in r.headers["set-cookie"]


def form_app() -> App:
    app = App(max_body_size=4096)

    @app.post("/form", form_limits=FormLimits(max_files=2, max_fields=3))
    async def form(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        data = await req.form()
        out: dict[str, Any] = {}
        for key, value in data.multi_items():
            if hasattr(value, "read"):
                out[key] = {"name": value.filename, "size": len(await value.read())}
            else:
                out[key] = value
        return out

    @app.post("/body-then-form")
    async def both(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raw = await req.body()
        return {"len": len(raw), "form": dict(await req.form())}

    @app.post("/one-file")
    async def one_file(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"n": len(await req.form(max_files=1))}

    return app


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # read by browsers as a second attribute: the cookie was set for another domain
        ({"path": "/; Domain=example.org"}, "a cookie path must not contain ';'"),
        ({"domain": "shop.example; Secure"}, "a cookie domain must not contain ';'"),
        # sent as Max-Age=soon
        ({"max_age": "soon"}, "max_age must be an int number of seconds, not 'soon'"),
    ],
)
def test_cookie_attributes_that_would_write_other_attributes_are_refused(
    options: dict[str, Any], message: str
) -> None:
    res = Response()
    with pytest.raises(ValueError, match=message):
        res.set_cookie("session", "abc", **options)
    assert res.headers == []


def test_the_call_overrides_the_route_limits() -> None:
    client = TestClient(form_app())
    assert client.post("/one-file", files={"a": ("a", b"1")}).json() == {"n": 1}
    files = {"a": ("a", b"1"), "b": ("b", b"2")}
    assert client.post("/one-file", files=files).status_code == 413


def test_urlencoded_and_multipart_forms_with_uploads() -> None:
    client = TestClient(form_app())
    r = client.post("/form", data={"title": "Dune", "year": "1965"})
    assert r.json() == {"title": "Dune", "year": "1965"}
    r = client.post("/form", data={"title": "Dune"}, files={"cover": ("c.png", b"\x89PNG" * 10)})
    assert r.json() == {"title": "Dune", "cover": {"name": "c.png", "size": 40}}


def test_uploaded_files_are_closed_when_the_request_ends() -> None:
    app = App(max_body_size=4 << 20)
    kept: list[Any] = []

    @app.post("/keep", form_limits=FormLimits(max_part_size=4 << 20))
    async def keep(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        upload = (await req.form())["f"]
        kept.append(upload)
        return {"closed": upload.file.closed}

    r = TestClient(app).post("/keep", files={"f": ("a.bin", b"x" * 2_000_000)})
    assert r.json() == {"closed": False}
    assert kept[0].file.closed


def test_form_after_body_never_hangs() -> None:
    r = TestClient(form_app()).post("/body-then-form", data={"a": "1"})
    assert r.json() == {"len": 3, "form": {"a": "1"}}


def test_form_limits_are_413_and_a_malformed_form_400() -> None:
    client = TestClient(form_app())
    files = {f"f{i}": (f"{i}.txt", b"x") for i in range(3)}
    r = client.post("/form", files=files)
    assert r.status_code == 413
    assert "Too many files" in r.json()["detail"]
    r = client.post("/form", data={f"k{i}": "v" for i in range(5)})
    assert r.status_code == 413
    r = client.post("/form", files={"big": ("b.bin", b"x" * 5000)})
    assert r.status_code == 413
    r = client.post(
        "/form",
        content=b"--x\r\nbroken",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert r.status_code == 400
    assert "boundary" in r.json()["detail"]
    r = client.post("/form", json={"a": 1})
    assert r.status_code == 415


Auth = gt.object({"x_api_key": gt.string(min_length=3), "x_page": gt.optional(gt.integer())})
Prefs = gt.object({"theme": gt.enum(["dark", "light"])})


def test_typed_headers_and_cookies_are_validated_with_their_location() -> None:
    app = App()

    @app.get("/typed", headers=Auth, cookies=Prefs)
    async def typed(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"headers": req.headers_validated, "cookies": req.cookies_validated}

    client = TestClient(app)
    r = client.get("/typed", headers={"X-API-Key": "secret", "X-Page": "2", "Cookie": "theme=dark"})
    assert r.json() == {
        "headers": {"x_api_key": "secret", "x_page": 2},
        "cookies": {"theme": "dark"},
    }
    r = client.get("/typed", headers={"X-API-Key": "k", "Cookie": "theme=blue"})
    assert r.status_code == 400
    locations = sorted(e["location"] for e in r.json()["errors"])
    assert locations == ["header"]
    r = client.get("/typed", headers={"X-API-Key": "secret", "Cookie": "theme=blue"})
    assert [e["location"] for e in r.json()["errors"]] == ["cookie"]
