"""A process-local cache of rows read under a database stamp (pricing's chain, ordering's setup).

The caller puts the stamp, read in a statement it runs anyway, in every key: a trigger gives the
stamp a new value in the transaction of any write to the cached tables
(`core.migration_ops.stamp_triggers`), so the next reader's key misses and it reads again. A stamp
is never reused (a sequence on PostgreSQL, random() on SQLite), so what a transaction that later
rolls back cached under its own stamp can never be served. A key of None (no stamp row) caches
nothing. Bounded: the least recently used entries go first. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

MISSING = object()  # what `lookup` answers for a key not cached (None may be a cached value)


class StampedCache:
    def __init__(self, *, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def lookup(self, key: Hashable | None) -> object:
        """What is cached under `key` (the caller checks its type), else MISSING."""
        if key is None:
            return MISSING
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is not MISSING:
                self._entries.move_to_end(key)
            return value

    def store(self, key: Hashable | None, value: object) -> None:
        """Cache `value` under `key` (nothing for a None key), evicting the least recently used."""
        if key is None:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Empty it (tests start with it empty, so their query counts are cold ones)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
