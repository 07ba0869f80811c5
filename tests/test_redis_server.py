"""The Redis test server is a real redis-server: it answers, forgets between tests, and can be
stopped and started again mid-test."""

from __future__ import annotations

import redis

from tests.redis_server import RedisServer


def test_a_real_server_answers_commands(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.set("k", "v")
    assert client.get("k") == b"v"
    assert client.info("server")["redis_version"]


def test_each_test_starts_empty(redis_server: RedisServer) -> None:
    assert redis.Redis.from_url(redis_server.url).dbsize() == 0


def test_stop_and_start_again(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url, socket_timeout=1)
    redis_server.stop()
    assert not redis_server.running
    try:
        client.ping()
    except redis.ConnectionError:
        pass
    else:
        raise AssertionError("a stopped server answered")
    redis_server.start()
    assert client.ping()
