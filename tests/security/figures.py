"""Counters the security suite prints at the end of a run (the figures issue 6 asks to quote)."""

from __future__ import annotations

from collections import Counter

FIGURES: Counter[str] = Counter()
FUZZ_STATUSES: Counter[int] = Counter()
_COVERED: dict[str, set[str]] = {}

LABELS = {
    "bola_api_operations": "API operations covered by the BOLA matrix",
    "bola_api_cases": "BOLA API cases passed (operation x outsider)",
    "bola_api_requests": "BOLA API requests sent",
    "bola_pages": "pages covered by the page BOLA matrix",
    "bola_page_cases": "page BOLA cases passed (page x outsider x method)",
    "authz_checks": "role x write-operation checks passed",
    "mass_assignment_operations": "write operations checked for mass assignment",
    "bad_input_requests": "bad-input requests sent (all answered 4xx JSON)",
    "bulk_broken_row_requests": "batches with one broken row sent (each answered naming that row, nothing applied)",
    "fuzz_requests": "fuzzer (schemathesis) requests sent",
    "fuzz_operations": "operations fuzzed",
    "faults_injected": "database faults injected",
    "processes_killed": "processes killed (SIGKILL) mid-transaction",
    "concurrency_runs": "concurrency runs (threads started together, PostgreSQL)",
    "concurrent_requests": "concurrent API requests sent in those runs",
    "idempotent_replays": "concurrent duplicates answered with the first order (201)",
    "idempotent_in_flight": "concurrent duplicates answered 409 idempotency_key_in_use",
    "orders_checked": "orders checked for loss or duplication",
    "lost_or_duplicated_orders": "lost or duplicated orders found",
    "mixed_price_orders": "orders priced at a mix of two price lists",
    "leak_checks": "answers searched for another account's or organization's data",
    "leaks_found": "leaks found in them",
    "server_errors": "5xx answers seen (unhandled errors in any request)",
    "server_errors_known": "5xx answers in strict xfails proving reported bugs",
}


def add(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount


def cover(name: str, item: str) -> None:
    """Count distinct items (operations, pages) under `name`."""
    _COVERED.setdefault(name, set()).add(item)
    FIGURES[name] = len(_COVERED[name])
