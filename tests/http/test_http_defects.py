"""Regression tests for the day-one defects: decorator traps, factory-made hook ids, JSON
encoding beyond plain JSON, registration messages, header replacement and ambiguous returns."""

from __future__ import annotations

import datetime
import decimal
import logging
import uuid
from collections import namedtuple
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pydantic
import pytest

from gati import App, gt
from gati.errors import SchemaError
from gati.http.encoding import ResponseNotEncodable, encode_json
from gati.http.response import Response
from gati.testing import TestClient

# -- decorators: bare forms and forms with options -------------------------------------------


def test_bare_app_hook_registers_a_before_hook() -> None:
    app = App()
    seen: list[str] = []

    @app.hook
    async def mark(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        seen.append("before")

    @app.get("/x")
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": True}

    assert callable(mark)
    assert [h.kind for h in app.global_hooks] == ["before"]
    assert TestClient(app).get("/x").status_code == 200
    assert seen == ["before"]


def test_app_hook_with_only_options_is_a_before_hook_and_a_typo_kind_is_refused() -> None:
    app = App()

    @app.hook(priority=3)
    def first(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    assert app.global_hooks[0].priority == 3
    with pytest.raises(ValueError, match="hook kind must be one of"):
        app.hook("befor")  # type: ignore[call-overload]


def test_on_startup_and_on_shutdown_decorate_with_options() -> None:
    app = App()
    order: list[str] = []

    @app.on_startup(priority=5)
    def high() -> None:
        order.append("high")

    @app.on_startup
    def plain() -> None:
        order.append("plain")

    @app.on_shutdown(timeout=2.0)
    def down() -> None:
        order.append("down")

    @app.gctx.on_health("db", critical=False)
    def db() -> bool:
        return True

    with TestClient(app):
        pass
    assert order == ["high", "plain", "down"]


def test_route_decorator_without_a_path_says_so() -> None:
    app = App()
    with pytest.raises(TypeError, match=r'needs a path first: @app.get\("/items"\)'):

        @app.get  # type: ignore[arg-type]
        async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...


def test_mounting_something_that_is_not_an_app_is_refused() -> None:
    with pytest.raises(TypeError, match="needs an ASGI app"):
        App().mount("/x", object())  # type: ignore[arg-type]


# -- generated hook ids are unique -----------------------------------------------------------


def make_logger(name: str, seen: list[str]) -> Callable[..., Any]:
    async def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        seen.append(name)

    return hook


def test_factory_made_global_hooks_get_unique_ids_and_all_run() -> None:
    app = App()
    seen: list[str] = []
    app.hook("before")(make_logger("a", seen))
    app.hook("before")(make_logger("b", seen))
    app.hook("before", make_logger("c", seen))

    @app.get("/x", hooks=[make_logger("r1", seen), make_logger("r2", seen)])
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {}

    ids = [h.id for h in app.global_hooks]
    assert len(set(ids)) == 3
    assert ids[1] == ids[0] + "#2"
    assert TestClient(app).get("/x").status_code == 200
    assert seen == ["a", "b", "c", "r1", "r2"]


def test_an_explicit_duplicate_id_is_still_an_error() -> None:
    app = App()
    seen: list[str] = []
    app.hook("before", id="log")(make_logger("a", seen))
    with pytest.raises(ValueError, match="duplicate global before hook id"):
        app.hook("before", id="log")(make_logger("b", seen))


# -- JSON encoding ------------------------------------------------------------------------------

Point = namedtuple("Point", "x y")


class Model(pydantic.BaseModel):
    name: str
    when: datetime.date


def test_values_with_an_obvious_json_form_are_encoded() -> None:
    value = {
        "price": decimal.Decimal("12.50"),
        "count": decimal.Decimal("3"),
        "tags": {"b", "a"},
        "frozen": frozenset({2, 1}),
        "point": Point(1, 2),
        "raw": b"\x00\xff",
        "model": Model(name="n", when=datetime.date(2024, 1, 2)),
        "by_id": {1: "one", 2: "two"},
        "id": uuid.UUID(int=1),
    }
    assert encode_json(value) == (
        b'{"price":12.5,"count":3,"tags":["a","b"],"frozen":[1,2],"point":[1,2],'
        b'"raw":"AP8=","model":{"name":"n","when":"2024-01-02"},'
        b'"by_id":{"1":"one","2":"two"},"id":"00000000-0000-0000-0000-000000000001"}'
    )


def test_an_unencodable_value_names_its_type_and_path() -> None:
    with pytest.raises(ResponseNotEncodable) as info:
        encode_json({"items": [1, {"price": object()}]})
    assert info.value.path == "$.items[1].price"
    assert "object" in str(info.value)


def test_handlers_returning_such_values_answer_200_and_the_client_namedtuple_too() -> None:
    app = App()

    @app.get("/client")
    async def client(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"client": lctx.meta.client, "total": decimal.Decimal("1.5")}

    @app.get("/bad")
    async def bad(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"items": [object()]}

    client_ = TestClient(app)
    r = client_.get("/client")
    assert r.status_code == 200
    assert r.json()["total"] == 1.5
    assert r.json()["client"][0] == "127.0.0.1"


def test_an_unencodable_response_is_a_500_whose_log_names_type_and_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()

    @app.get("/bad")
    async def bad(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"items": [1, object()]}

    with caplog.at_level(logging.ERROR, logger="gati.http"):
        r = TestClient(app).get("/bad")
    assert r.status_code == 500
    assert "cannot encode a object as JSON at $.items[1]" in caplog.text


# -- clearer registration and routing messages -----------------------------------------------


def test_a_conflicting_pattern_names_the_registered_one() -> None:
    app = App()

    @app.get("/u/{id}")
    async def a(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    with pytest.raises(ValueError, match=r"conflicts with the registered '/u/\{id\}'"):

        @app.get("/u/{name}")
        async def b(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...


def test_registering_healthz_says_the_built_in_exists_and_how_to_turn_it_off() -> None:
    app = App()
    with pytest.raises(ValueError, match=r"built-in health route.*health_paths=None"):

        @app.get("/healthz")
        async def mine(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    free = App(health_paths=None)

    @free.get("/healthz")
    async def own(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"mine": True}

    assert TestClient(free).get("/healthz").json() == {"mine": True}


def test_flask_style_patterns_are_refused_with_the_gati_syntax() -> None:
    with pytest.raises(ValueError, match=r"Flask syntax.*\{name:int\}"):

        @App().get("/x/<int:id>")
        async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...


def test_compiling_a_class_points_to_from_type() -> None:
    class Book:
        title: str

    with pytest.raises(SchemaError, match=r"gt.from_type\(Book\)"):
        gt.compile(Book)  # type: ignore[arg-type]


def test_a_parameter_that_did_not_convert_is_a_404_that_says_so() -> None:
    app = App()

    @app.get("/notes/{note_id:int}")
    async def note(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {}

    r = TestClient(app).get("/notes/abc")
    assert r.status_code == 404
    assert "parameter 'note_id' did not convert to int ('abc')" in r.json()["detail"]
    assert TestClient(app).get("/other/abc").json()["detail"] == "no route matches '/other/abc'"


# -- headers replaced, ambiguous returns refused ---------------------------------------------


def test_a_content_type_header_replaces_the_body_media_type() -> None:
    app = App()

    @app.get("/html")
    async def html(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.header("Content-Type", "text/html; charset=utf-8").text("<p>hi</p>")

    @app.get("/twice")
    async def twice(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.header("X-A", "1").header("x-a", "2").add_header("Vary", "a").add_header("Vary", "b")
        res.text("ok")

    client = TestClient(app)
    r = client.get("/html")
    assert r.headers.get_list("content-type") == ["text/html; charset=utf-8"]
    r = client.get("/twice")
    assert r.headers.get_list("x-a") == ["2"]
    assert r.headers.get_list("vary") == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        # a server refused the response after the handler returned, or split it in two
        ("X-Next", "a\r\nSet-Cookie: admin=1", ValueError, "holds a control character"),
        ("X-Next", "a\nb", ValueError, "holds a control character"),
        ("X-Next", "a\0b", ValueError, "holds a control character"),
        ("X Next", "1", ValueError, "invalid header name 'X Next'"),
        ("X-Next:", "1", ValueError, "invalid header name"),
        ("", "1", ValueError, "invalid header name ''"),
        ("X-Count", 5, TypeError, "header X-Count takes a str value, not int"),
    ],
)
def test_a_header_no_server_can_send_is_refused_where_it_is_set(
    name: str, value: Any, error: type[Exception], message: str
) -> None:
    res = Response()
    with pytest.raises(error, match=message):
        res.header(name, value)
    with pytest.raises(error, match=message):
        res.add_header(name, value)
    assert res.headers == []


def test_a_status_that_is_no_int_is_refused() -> None:
    res = Response()
    with pytest.raises(ValueError, match="invalid HTTP status '200'"):
        res.status("200")  # type: ignore[arg-type]
    assert res.status(HTTPStatus.CREATED).status_code == 201


def test_returning_a_value_after_writing_a_body_is_a_clear_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()

    @app.get("/both")
    async def both(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.json({"a": 1})
        return {"b": 2}

    @app.get("/chain")
    async def chain(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return res.status(201).json({"a": 1})

    @app.get("/tuple")
    async def tup(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"a": 1}, 201

    client = TestClient(app)
    with caplog.at_level(logging.ERROR, logger="gati.http"):
        assert client.get("/both").status_code == 500
        assert client.get("/tuple").status_code == 500
    assert "write the body or return it, not both" in caplog.text
    assert "returned a 2-tuple" in caplog.text
    r = client.get("/chain")
    assert (r.status_code, r.json()) == (201, {"a": 1})


# -- route options refused at registration, not accepted and then wrong --------------------


async def _handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {}


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        # one string was split into its characters: tags b, o, o, k, s in the document
        ({"tags": "books"}, TypeError, r"tags= takes a list of names, not one string"),
        ({"tags": ["books", 3]}, TypeError, r"tags= takes strings, not 3"),
        ({"hooks": _handler}, TypeError, r"hooks= takes a list of hooks.*hooks=\[_handler\]"),
        ({"timeout": "5"}, TypeError, r"timeout must be a number of seconds or None, not '5'"),
        ({"timeout": True}, TypeError, r"timeout must be a number of seconds"),
        ({"timeout": 0}, ValueError, r"timeout must be a positive number of seconds"),
        ({"max_body_size": "1"}, TypeError, r"max_body_size must be an int \(bytes\) or None"),
        # an empty id fell back to the function's name without a word
        ({"id": ""}, ValueError, r"id= must be a non-empty string, not ''"),
        # pinning without a version did nothing
        ({"pin_versions": True}, ValueError, r"pin_versions=True needs version="),
    ],
)
def test_a_route_option_of_the_wrong_shape_is_refused_at_registration(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    app = App()
    with pytest.raises(error, match=message):
        app.get("/items", **options)
    assert all(p != "/items" for _, p, _ in app.routes.routes())


def test_tags_given_as_a_list_reach_the_document() -> None:
    app = App()
    app.get("/items", tags=["books"])(_handler)
    assert app.openapi()["paths"]["/items"]["get"]["tags"] == ["books"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # a timeout of 0 or less was refused only by the first route, as that route's option
        ({"timeout": 0}, r"App timeout must be a positive number of seconds or None, not 0"),
        ({"timeout": -1}, r"App timeout must be a positive number"),
        ({"max_body_size": -1, "health_paths": None}, r"max_body_size must be an int >= 0"),
        ({"max_body_size": "1"}, r"max_body_size must be an int >= 0 \(bytes\), not '1'"),
    ],
)
def test_app_defaults_of_the_wrong_shape_are_refused_by_the_constructor(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        App(**options)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        # debug="false" (read from the environment) turned tracebacks in 500s on
        ({"debug": "false"}, TypeError, "debug= takes True or False, not 'false'"),
        ({"openapi_info": [("title", "Shop")]}, TypeError, "openapi_info= takes a mapping"),
        ({"modules": ["db"]}, TypeError, "modules= takes a mapping, not list"),
        ({"exception_handlers": [KeyError]}, TypeError, "exception_handlers= takes a mapping"),
        ({"health_paths": ("/live",)}, ValueError, r"health_paths= is \("),
        ({"health_paths": "/live"}, ValueError, r"health_paths= is \("),
    ],
)
def test_app_options_of_the_wrong_shape_say_what_they_take(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        App(**options)


def test_an_empty_hook_id_is_refused() -> None:
    with pytest.raises(ValueError, match="a hook id must be a non-empty string, not ''"):
        App().hook("before", _handler, id="")


def test_a_global_hook_backoff_without_retries_is_refused() -> None:
    app = App()
    with pytest.raises(ValueError, match="backoff= spaces the retries: give retries="):
        app.hook("before", _handler, backoff=0.5)
    assert not app.global_hooks
    app.hook("before", _handler, retries=1, backoff=0.5)
    assert app.global_hooks[0].backoff.base == 0.5
