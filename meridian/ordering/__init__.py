"""Ordering: carts and shopping lists, quick order, checkout and the one order pipeline (docs/ordering.md)."""
