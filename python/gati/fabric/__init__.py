"""The queue fabric: topics with consumer groups, at-least-once delivery, dead letters and
bounded queues, in memory (``MemoryFabric``) or on Redis Streams (``RedisFabric``, which needs
the ``redis`` extra only when one is made)."""

from gati.fabric.api import DEAD_SUFFIX, POLICIES, Fabric, Message, Policy, Subscription, Topic
from gati.fabric.errors import BackpressureError
from gati.fabric.memory import MemoryFabric
from gati.fabric.redis import RedisFabric

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
