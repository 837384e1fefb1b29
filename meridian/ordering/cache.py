"""This process's cache of the checkout setup: shipping methods with their bands, tax rules.

Keyed by the ordering stamp (`OrderingVersion`, kept new by the triggers of migration 0002) read in
the statement that loads the website (`queries.get_website`), so a write to a shipping method, a
rate band or a tax rule is seen by the very next order: see `core.stamped_cache` for why that is
never stale.
"""

from __future__ import annotations

from meridian.core.stamped_cache import MISSING, StampedCache

SETUP_CACHE_SIZE = 1024  # entries: one website's method with its bands, or one country's tax rules

__all__ = ["MISSING", "forget_setup", "lookup", "store"]

setup = StampedCache(size=SETUP_CACHE_SIZE)
lookup = setup.lookup  # MISSING for a key not cached: None is a value ("no such method")
store = setup.store


def forget_setup() -> None:
    """Empty this process's cache (tests start with it empty, so their query counts are cold ones)."""
    setup.clear()
