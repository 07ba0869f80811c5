"""``RingBuffer``: the Playground's recent records, bounded by count and by bytes (native twin:
``gati._native.RingBuffer``; ``gati.playground.buffer.RingBuffer`` is a subclass).

Adding a record past either bound evicts the oldest ones first; a record bigger than the
whole byte bound is never kept. The buffer numbers the records it keeps (1, 2, 3…: a record's
``id``) and holds them in a list of at most ``max_records`` slots, grown as records come, the
record numbered ``n`` in slot ``(n - 1) % max_records``: adding one is a few list and integer
operations, and a lookup by id is O(1). It is a record's ``keep`` (calling it adds), and
``announce`` (when set) is called with each record kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["RingBuffer"]

# The byte bound in effect: at most 2**63 - 1, the native twin's 64-bit count
_MAX_BYTES = 2**63 - 1


class RingBuffer:
    """The newest records within ``max_records`` and ``max_bytes``."""

    __slots__ = (
        "_bound",
        "_first",
        "_next",
        "_slots",
        "announce",
        "bytes",
        "max_bytes",
        "max_records",
    )

    def __init__(self, max_records: int, max_bytes: int) -> None:
        if type(max_records) is not int or max_records < 1:
            raise ValueError(f"the buffer keeps at least 1 record, not {max_records!r}")
        if type(max_bytes) is not int or max_bytes < 1:
            raise ValueError(f"the buffer's byte bound must be a positive int, not {max_bytes!r}")
        self.max_records = max_records
        self.max_bytes = max_bytes
        self._bound = min(max_bytes, _MAX_BYTES)
        self.bytes = 0
        self.announce: Callable[[Any], Any] | None = None
        self._slots: list[Any] = []
        self._first = self._next = 1  # the oldest record's id, the next record's

    def add(self, record: Any) -> bool:
        """Keep ``record``, numbered (``record.id``), evicting the oldest as needed; False
        (and no id) if it alone is bigger than the byte bound."""
        size = record.size
        if not isinstance(size, int):
            raise TypeError(f"a record's size is an int, not {type(size).__name__}")
        if size < 0:
            raise ValueError("a record's size must not be negative")
        limit = self._bound - size
        if limit < 0:
            return False
        nxt = self._next
        record.id = nxt
        slots, n = self._slots, self.max_records
        first, held = self._first, self.bytes
        while nxt - first >= n or held > limit:
            if first == nxt:
                break
            at = (first - 1) % n
            held -= slots[at].size
            slots[at] = None
            first += 1
        at = (nxt - 1) % n
        if at == len(slots):
            slots.append(record)
        else:
            slots[at] = record
        self._first, self._next, self.bytes = first, nxt + 1, held + size
        if self.announce is not None:
            self.announce(record)
        return True

    __call__ = add

    def get(self, record_id: Any) -> Any:
        """The record with ``record_id`` (its number, or the number as text), or None when
        unknown or evicted."""
        if type(record_id) is not int:
            if not (isinstance(record_id, str) and record_id.isdecimal() and len(record_id) < 20):
                return None
            record_id = int(record_id)
        if not self._first <= record_id < self._next:
            return None
        return self._slots[(record_id - 1) % self.max_records]

    def newest(self, limit: int) -> list[Any]:
        """Up to ``limit`` records, newest first."""
        first = max(self._first, self._next - limit)
        return [self._at(i) for i in range(self._next - 1, first - 1, -1)]

    def _at(self, record_id: int) -> Any:
        return self._slots[(record_id - 1) % self.max_records]

    def __len__(self) -> int:
        return self._next - self._first

    def __iter__(self) -> Iterator[Any]:
        """The records, oldest first."""
        return iter([self._at(i) for i in range(self._first, self._next)])
