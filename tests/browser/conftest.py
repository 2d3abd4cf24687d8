"""Browser fixtures: Debian's Chromium driven by Playwright, against the session's local host.

Never a downloaded browser: Playwright launches /usr/bin/chromium (`make test` installs it when
missing). Without it the tests skip, except in CI (CI=true), where a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from devhost import azurite
from tests.utils.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page

    NewContext = Callable[..., BrowserContext]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


# Module scope: the sync API keeps an event loop running on this thread while it is started, which
# would break later tests that call asyncio.run(); it stops when the browser module is done.
@pytest.fixture(scope="module")
def browser(base_url: str, azurite_ports: azurite.AzuritePorts) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: `make test` installs Debian's chromium as root")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: `make install`")
    # Direct uploads PUT blocks from the page's origin straight to Azurite.
    azurite.allow_browser_origins(azurite_ports, [base_url])
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class PageProblems:
    """Uncaught script errors and CSP violations seen by a page: a test fails on any of them."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", self._uncaught)
        page.on("console", self._console)

    def _uncaught(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error}")

    def _console(self, message: ConsoleMessage) -> None:
        text = str(message.text)
        if message.type == "error" and "Content Security Policy" in text:
            self.errors.append(f"CSP: {text}")


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[NewContext]:
    """Make fresh browser contexts (separate storage, like separate devices); all closed after."""
    contexts: list[BrowserContext] = []
    problems = PageProblems()

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(
            base_url=base_url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert problems.errors == []


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()
