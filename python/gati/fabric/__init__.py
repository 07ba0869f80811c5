"""The queue fabric: topics with consumer groups, at-least-once delivery, dead letters and
bounded queues, in memory (``MemoryFabric``) or on Redis Streams (``RedisFabric``)."""

from gati.fabric.api import DEAD_SUFFIX, POLICIES, Fabric, Message, Policy, Subscription, Topic
from gati.fabric.errors import BackpressureError
from gati.fabric.memory import MemoryFabric

__all__ = [
    "DEAD_SUFFIX",
    "POLICIES",
    "BackpressureError",
    "Fabric",
    "MemoryFabric",
    "Message",
    "Policy",
    "RedisFabric",
    "Subscription",
    "Topic",
]


def __getattr__(name: str) -> object:
    if name == "RedisFabric":  # imported on first use: redis is an optional dependency
        from gati.fabric.redis import RedisFabric

        return RedisFabric
    raise AttributeError(name)
