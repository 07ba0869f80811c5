"""Fixtures shared by every test folder."""

from tests.redis_server import redis_server, redis_session

__all__ = ["redis_server", "redis_session"]
