"""The router, on the active backend: typed params, precedence, conflicts, trailing slashes."""

from __future__ import annotations

import uuid

import pytest

from gati.http.routing import make_router, parse_pattern


def table(*patterns: str) -> object:
    router = make_router()
    for p in patterns:
        router.insert(parse_pattern(p))
    return router


def test_static_beats_param_whatever_the_order() -> None:
    for order in (["/users/{id}", "/users/me"], ["/users/me", "/users/{id}"]):
        router = make_router()
        idx = {p: router.insert(parse_pattern(p)) for p in order}
        assert router.lookup("/users/me") == (idx["/users/me"], {})
        assert router.lookup("/users/bob") == (idx["/users/{id}"], {"id": "bob"})


def test_typed_params_are_converted() -> None:
    router = make_router()
    i = router.insert(parse_pattern("/n/{v:int}"))
    f = router.insert(parse_pattern("/n/{v:float}"))
    u = router.insert(parse_pattern("/n/{v:uuid}"))
    s = router.insert(parse_pattern("/n/{v}"))
    p = router.insert(parse_pattern("/files/{rest:path}"))
    assert router.lookup("/n/7") == (i, {"v": 7})
    assert router.lookup("/n/007") == (s, {"v": "007"})  # not JSON: no leading zeros
    assert router.lookup("/n/2.5") == (f, {"v": 2.5})
    ident = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    assert router.lookup(f"/n/{ident}") == (u, {"v": uuid.UUID(ident)})
    assert router.lookup("/n/x") == (s, {"v": "x"})
    assert router.lookup("/n/-1") == (i, {"v": -1})
    assert router.lookup("/n/1.5e3") == (f, {"v": 1500.0})
    assert router.lookup("/n/99999999999999999999") == (f, {"v": 99999999999999999999.0})
    assert router.lookup("/files/a/b.txt") == (p, {"rest": "a/b.txt"})
    assert router.lookup("/files/") == (p, {"rest": ""})
    assert router.lookup("/files") is None


def test_backtracking_from_a_static_dead_end() -> None:
    router = make_router()
    router.insert(parse_pattern("/a/b/c"))
    second = router.insert(parse_pattern("/a/{x:str}/d"))
    assert router.lookup("/a/b/d") == (second, {"x": "b"})


def test_trailing_slash_is_strict() -> None:
    router = make_router()
    plain = router.insert(parse_pattern("/users"))
    slash = router.insert(parse_pattern("/users/"))
    assert router.lookup("/users") == (plain, {})
    assert router.lookup("/users/") == (slash, {})
    assert router.lookup("/users//") is None
    assert router.lookup("users") is None
    assert router.lookup("") is None


@pytest.mark.parametrize(
    "pattern",
    ["users", "/u/{id:date}", "/u/{id}{x}", "/u/x{id}", "/u/{1d}", "/u/{id}/{id}", "/{p:path}/x"],
)
def test_bad_patterns_are_refused(pattern: str) -> None:
    router = make_router()
    with pytest.raises(ValueError):
        router.insert(parse_pattern(pattern))


def test_conflicting_patterns_are_refused() -> None:
    router = make_router()
    router.insert(parse_pattern("/u/{id}"))
    with pytest.raises(ValueError, match="conflicts"):
        router.insert(parse_pattern("/u/{name}"))
    router.insert(parse_pattern("/f/{a:path}"))
    with pytest.raises(ValueError, match="conflicts"):
        router.insert(parse_pattern("/f/{b:path}"))


def test_len_counts_patterns() -> None:
    router = make_router()
    router.insert(parse_pattern("/a"))
    router.insert(parse_pattern("/b/{c:path}"))
    assert len(router) == 2  # type: ignore[arg-type]
