"""Fixtures and Hypothesis settings shared by every test folder."""

from hypothesis import HealthCheck, settings

from tests.redis_server import redis_server, redis_session

# Property tests judge behaviour, never speed: on a loaded machine a slow example or slow data
# generation is not a failure (speed lives in benches/).
settings.register_profile("gati", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gati")

__all__ = ["redis_server", "redis_session"]
