"""``RingBuffer``: the recent records, bounded by count and by bytes.

Adding a record past either bound evicts the oldest ones first; a record bigger than the
whole byte bound is never kept. Lookups by id are O(1) (a dict beside the deque).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

__all__ = ["RingBuffer", "Sized"]


class Sized(Protocol):
    """What the buffer needs of a record: its id and its size in bytes."""

    @property
    def id(self) -> str: ...

    @property
    def size(self) -> int: ...


R = TypeVar("R", bound=Sized)


class RingBuffer(Generic[R]):
    """The newest records within ``max_records`` and ``max_bytes``."""

    __slots__ = ("_by_id", "_order", "bytes", "max_bytes", "max_records")

    def __init__(self, max_records: int, max_bytes: int) -> None:
        if type(max_records) is not int or max_records < 1:
            raise ValueError(f"the buffer keeps at least 1 record, not {max_records!r}")
        if type(max_bytes) is not int or max_bytes < 1:
            raise ValueError(f"the buffer's byte bound must be a positive int, not {max_bytes!r}")
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.bytes = 0
        self._order: deque[R] = deque()
        self._by_id: dict[str, R] = {}

    def add(self, record: R) -> bool:
        """Keep ``record`` (evicting the oldest as needed); False if it alone is too big."""
        size = record.size
        if size > self.max_bytes:
            return False
        order = self._order
        while order and (len(order) >= self.max_records or self.bytes + size > self.max_bytes):
            old = order.popleft()
            self.bytes -= old.size
            del self._by_id[old.id]
        order.append(record)
        self._by_id[record.id] = record
        self.bytes += size
        return True

    def get(self, record_id: str) -> R | None:
        """The record with ``record_id``, or None when unknown or evicted."""
        return self._by_id.get(record_id)

    def newest(self, limit: int) -> list[R]:
        """Up to ``limit`` records, newest first."""
        out: list[R] = []
        for record in reversed(self._order):
            if len(out) >= limit:
                break
            out.append(record)
        return out

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[R]:
        return iter(self._order)
