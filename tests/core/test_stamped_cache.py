"""core.stamped_cache: the bounded, stamp-keyed cache pricing and ordering share."""

from __future__ import annotations

from meridian.core.stamped_cache import MISSING, StampedCache


def test_a_key_not_cached_is_missing_and_none_is_a_value() -> None:
    cache = StampedCache(size=4)
    cache.store(("methods", 1), None)

    assert cache.lookup(("methods", 2)) is MISSING
    assert cache.lookup(("methods", 1)) is None


def test_without_a_stamp_nothing_is_cached() -> None:
    cache = StampedCache(size=4)
    cache.store(None, "rows")

    assert cache.lookup(None) is MISSING and len(cache) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = StampedCache(size=2)
    cache.store("a", 1)
    cache.store("b", 2)
    assert cache.lookup("a") == 1  # "a" is now the most recently used

    cache.store("c", 3)

    assert (cache.lookup("a"), cache.lookup("b"), cache.lookup("c")) == (1, MISSING, 3)
    cache.clear()
    assert len(cache) == 0
