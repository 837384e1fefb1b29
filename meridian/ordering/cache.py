"""This process's cache of the checkout setup: shipping methods with their bands, tax rules.

Keyed by the ordering stamp (`OrderingVersion`) read in the statement that loads the website
(`queries.get_website`), so a write to a shipping method, a rate band or a tax rule (a trigger gives
the stamp a new value in the writer's transaction, migration 0002) is seen by the very next order:
its stamp differs, the key misses, the setup is read again. A stamp is never reused (a sequence on
PostgreSQL, random() on SQLite), so what a transaction that later rolls back cached under its own
stamp can never be served. Without a stamp (None) nothing is cached. Bounded: the least recently
used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

SETUP_CACHE_SIZE = 1024  # entries: one website's method with its bands, or one country's tax rules
MISSING = object()  # what `lookup` answers for a key not cached (None is a value: "no such method")

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()


def lookup(key: Hashable | None) -> object:
    """What is cached under `key` (the caller checks its type), else MISSING."""
    if key is None:
        return MISSING
    with _lock:
        value = _entries.get(key, MISSING)
        if value is not MISSING:
            _entries.move_to_end(key)
        return value


def store(key: Hashable | None, value: object) -> None:
    """Cache `value` under `key` (nothing for a None key), evicting the least recently used."""
    if key is None:
        return
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > SETUP_CACHE_SIZE:
            _entries.popitem(last=False)


def forget_setup() -> None:
    """Empty this process's cache (tests start with it empty, so their query counts are cold ones)."""
    with _lock:
        _entries.clear()
