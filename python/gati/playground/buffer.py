"""``RingBuffer``: the recent records, bounded by count and by bytes.

Adding a record past either bound evicts the oldest ones first; a record bigger than the
whole byte bound is never kept. The buffer numbers the records it keeps (1, 2, 3…: a record's
``id``) and holds them in a fixed list of ``max_records`` slots, the record numbered ``n`` in
slot ``n % max_records``: adding one is a few list and integer operations, and a lookup by id
is O(1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["RingBuffer", "Sized"]


class Sized(Protocol):
    """What the buffer needs of a record: its size in bytes, and an id it can set."""

    id: Any
    size: int


R = TypeVar("R", bound=Sized)


class RingBuffer(Generic[R]):
    """The newest records within ``max_records`` and ``max_bytes``."""

    __slots__ = ("_first", "_next", "_slots", "bytes", "max_bytes", "max_records")

    def __init__(self, max_records: int, max_bytes: int) -> None:
        if type(max_records) is not int or max_records < 1:
            raise ValueError(f"the buffer keeps at least 1 record, not {max_records!r}")
        if type(max_bytes) is not int or max_bytes < 1:
            raise ValueError(f"the buffer's byte bound must be a positive int, not {max_bytes!r}")
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.bytes = 0
        self._slots: list[R | None] = [None] * max_records
        self._first = self._next = 1  # the oldest record's id, the next record's

    def add(self, record: R) -> bool:
        """Keep ``record``, numbered (``record.id``), evicting the oldest as needed; False
        (and no id) if it alone is bigger than the byte bound."""
        size = record.size
        limit = self.max_bytes - size
        if limit < 0:
            return False
        slots, n = self._slots, self.max_records
        first, nxt, held = self._first, self._next, self.bytes
        while nxt - first >= n or held > limit:
            old = slots[first % n]
            assert old is not None
            held -= old.size
            slots[first % n] = None
            first += 1
        record.id = nxt
        slots[nxt % n] = record
        self._first, self._next, self.bytes = first, nxt + 1, held + size
        return True

    def get(self, record_id: int | str) -> R | None:
        """The record with ``record_id`` (its number, or the number as text), or None when
        unknown or evicted."""
        if type(record_id) is not int:
            if not (isinstance(record_id, str) and record_id.isdecimal() and len(record_id) < 20):
                return None
            record_id = int(record_id)
        if not self._first <= record_id < self._next:
            return None
        return self._slots[record_id % self.max_records]

    def newest(self, limit: int) -> list[R]:
        """Up to ``limit`` records, newest first."""
        first = max(self._first, self._next - limit)
        return [self._at(i) for i in range(self._next - 1, first - 1, -1)]

    def _at(self, record_id: int) -> R:
        record = self._slots[record_id % self.max_records]
        assert record is not None
        return record

    def __len__(self) -> int:
        return self._next - self._first

    def __iter__(self) -> Iterator[R]:
        """The records, oldest first."""
        return iter([self._at(i) for i in range(self._first, self._next)])
