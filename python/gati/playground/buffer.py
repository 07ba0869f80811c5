"""``RingBuffer``: the recent records, bounded by count and by bytes (``RingBuffer`` native or
pure, chosen by the backend: rust/playground/ring.rs).

Adding a record past either bound evicts the oldest ones first; a record bigger than the
whole byte bound is never kept. The buffer numbers the records it keeps (1, 2, 3…: a record's
``id``), and a lookup by id is O(1). The buffer is its records' ``keep``: a record closing
hands itself to it (natively with no Python call), and ``announce``, when set, is called with
each record kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from gati._backend import twin

__all__ = ["RingBuffer", "Sized"]

_Ring: Any = twin("RingBuffer")


class Sized(Protocol):
    """What the buffer needs of a record: its size in bytes, and an id it can set."""

    id: Any
    size: int


class RingBuffer(_Ring):  # type: ignore[misc]  # the twin, native or pure
    """The newest records within ``max_records`` and ``max_bytes``."""

    __slots__ = ()

    max_records: int
    max_bytes: int
    bytes: int
    announce: Any  # called with each record kept, when set (else None)

    if TYPE_CHECKING:  # the twin's methods, for the type checker

        def __init__(self, max_records: int, max_bytes: int) -> None: ...
        def add(self, record: Sized) -> bool: ...
        def __call__(self, record: Sized) -> bool: ...
        def get(self, record_id: int | str) -> Any: ...
        def newest(self, limit: int) -> list[Any]: ...
        def __len__(self) -> int: ...
        def __iter__(self) -> Iterator[Any]: ...
