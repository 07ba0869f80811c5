"""Policies: who may call a route (authentication, roles) and how often (GCRA rate limits in
memory or Redis), plus the audit log. Each joins the request lifecycle as a built-in step."""

from gati.policy.audit import AuditLog
from gati.policy.auth import APIKeyAuth, Authenticator
from gati.policy.jwt import JWTAuth
from gati.policy.memory import MemoryStore
from gati.policy.plan import Policies, RoutePolicy
from gati.policy.principal import AuthenticationFailed, Principal
from gati.policy.rate import Rate, parse_rate
from gati.policy.redis_store import RedisStore, StoreUnavailable
from gati.policy.store import RateLimitStore

__all__ = [
    "APIKeyAuth",
    "AuditLog",
    "AuthenticationFailed",
    "Authenticator",
    "JWTAuth",
    "MemoryStore",
    "Policies",
    "Principal",
    "Rate",
    "RateLimitStore",
    "RedisStore",
    "RoutePolicy",
    "StoreUnavailable",
    "parse_rate",
]
