"""This process's cache of the price chain's inputs that do not depend on the cart's lines.

Keyed by the pricing stamp (`PricingVersion`, kept new by the triggers of migrations 0002 and 0003)
read in the statement that loads the website, so a write to any input of the chain is seen by the
very next resolution: see `core.stamped_cache` for why that is never stale.
"""

from __future__ import annotations

from collections.abc import Hashable

from meridian.core.stamped_cache import MISSING, StampedCache

CHAIN_CACHE_SIZE = 2048  # entries: a few KB each (lists, rules, contracts or promotions of one chain)

chains = StampedCache(size=CHAIN_CACHE_SIZE)


def lookup(key: Hashable | None) -> object | None:
    """What is cached under `key` (the caller checks its type), or None."""
    value = chains.lookup(key)
    return None if value is MISSING else value


def store(key: Hashable | None, value: object) -> None:
    """Cache `value` under `key` (nothing for a None key), evicting the least recently used."""
    chains.store(key, value)


def forget_chains() -> None:
    """Empty this process's cache (tests start with it empty, so their query counts are cold ones)."""
    chains.clear()
