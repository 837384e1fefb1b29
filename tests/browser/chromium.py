"""Debian's Chromium for the browser tests: where it is, how it starts, and what a test may load.

A test calls `require_browser()` first: it skips with the reason shown when /usr/bin/chromium is
missing, unless MERIDIAN_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
    if os.environ.get("MERIDIAN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (MERIDIAN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium, closed when the block ends (screenshots go to ARTIFACTS)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def record_foreign_requests(page: Page, base: str, into: list[str]) -> None:
    """Append to `into` every request the page makes to a host other than the app's (`base`)."""
    host = urlsplit(base).netloc

    def check(request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if urlsplit(url).netloc != host and not url.startswith("data:"):
            into.append(url)

    page.on("request", check)
