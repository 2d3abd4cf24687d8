"""Browser helpers: where Chromium is, screenshots, and the page's own flows (log in, upload)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.utils.accounts import PASSWORD
from tests.utils.server import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1000, "height": 820}


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save under test-output/screenshots/ (ignored by git) and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the page's Account tab and wait until the page shows the user."""
    page.goto("/")
    page.click("#tab-account")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-button")
    page.wait_for_selector("body.signed-in")
    assert page.inner_text("#who-name") == username


def choose_files(page: Page, selector: str, *paths: Path) -> None:
    page.set_input_files(selector, [str(path) for path in paths])


def share_through_page(page: Page, path: Path) -> str:
    """Upload `path` from the page's Share panel, as a user does; the link it shows."""
    page.goto("/")
    choose_files(page, "#file-input", path)
    page.wait_for_selector(".upload[data-state=done]")
    return page.input_value(".upload .link")
