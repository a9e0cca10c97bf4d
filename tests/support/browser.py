"""The system's headless Chromium, driven by Playwright (its own browser download unused).

Playwright's sync API runs one driver per thread: a second ``sync_playwright()`` while
one is open fails ("using Playwright Sync API inside the asyncio loop"). So the test
process has one Playwright and one browser, started on first use and stopped at exit;
every test (pages, the diagrams' and charts' geometry, the dashboard) opens its own
context or page in it.
"""

from __future__ import annotations

import atexit
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_OPEN: dict[str, Any] = {}


def shared_browser() -> Any:
    """The process's Playwright ``Browser`` of Debian's ``chromium`` (``make setup``
    installs it)."""
    if "browser" not in _OPEN:
        from playwright.sync_api import sync_playwright

        executable = shutil.which("chromium")
        if executable is None:
            raise RuntimeError(
                "headless Chromium is missing: `make setup` installs Debian's chromium package"
            )
        playwright = sync_playwright().start()
        _OPEN["playwright"] = playwright
        _OPEN["browser"] = playwright.chromium.launch(executable_path=executable)
        atexit.register(_stop)
    return _OPEN["browser"]


def _stop() -> None:
    browser, playwright = _OPEN.pop("browser", None), _OPEN.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@contextmanager
def chromium() -> Iterator[Any]:
    """The shared ``Browser`` (kept open for the process's other tests)."""
    yield shared_browser()


@contextmanager
def new_page() -> Iterator[Any]:
    """A page of its own in a context of its own, closed afterwards."""
    context = shared_browser().new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
