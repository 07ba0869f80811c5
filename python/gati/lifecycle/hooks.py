"""``Hook`` and ``Backoff`` as the lifecycle names them; they live in the leaf ``gati.hook``."""

from gati.hook import KINDS, LEVELS, Backoff, Hook, is_async_callable

__all__ = ["KINDS", "LEVELS", "Backoff", "Hook", "is_async_callable"]
