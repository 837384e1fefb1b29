"""This process's cache of the price chain's inputs that do not depend on the cart's lines.

Keyed by the pricing stamp (`PricingVersion`) read in the statement that loads the website, so a
write to any input of the chain (a trigger gives the stamp a new value in the writer's transaction)
is seen by the very next resolution: its stamp differs, the key misses, the inputs are read again.
A stamp is never reused (a sequence on PostgreSQL, random() on SQLite), so what a transaction that
later rolls back cached under its own stamp can never be served. Without a stamp row (a key of
None) nothing is cached. Bounded: the least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

CHAIN_CACHE_SIZE = 2048  # entries: a few KB each (lists, rules, contracts or promotions of one chain)

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()


def lookup(key: Hashable | None) -> object | None:
    """What is cached under `key` (the caller checks its type), or None."""
    if key is None:
        return None
    with _lock:
        value = _entries.get(key)
        if value is not None:
            _entries.move_to_end(key)
        return value


def store(key: Hashable | None, value: object) -> None:
    """Cache `value` under `key` (nothing for a None key), evicting the least recently used."""
    if key is None:
        return
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > CHAIN_CACHE_SIZE:
            _entries.popitem(last=False)


def forget_chains() -> None:
    """Empty this process's cache (tests start with it empty, so their query counts are cold ones)."""
    with _lock:
        _entries.clear()
