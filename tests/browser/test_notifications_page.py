"""The Account tab's notifications: add an endpoint, see its secret once, test, see deliveries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.utils.accounts import register
from tests.utils.browser import log_in, screenshot
from tests.utils.receiver import receiving
from tests.utils.webhook_spec import verify

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    NewContext = Callable[..., BrowserContext]

pytestmark = pytest.mark.browser


def test_account_tab_adds_an_endpoint_sends_a_test_and_shows_the_delivery(
    new_context: NewContext, client: httpx.Client, settings_env: dict[str, str]
) -> None:
    settings_env["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "true"  # a local receiver, as `make run`
    username, _ = register(client)
    page = new_context().new_page()
    log_in(page, username)
    with receiving() as receiver:
        page.click("#tab-account")
        page.fill("#webhook-url", receiver.url)
        page.uncheck("#webhook-form input[value='file.expired']")
        page.click("#webhook-form button[type=submit]")
        page.wait_for_selector(".notice.success:text('Endpoint added.')")
        secret = page.input_value("#webhook-secret-value")
        hook = page.locator(".webhook")
        assert hook.locator(".webhook-url").inner_text() == receiver.url
        assert "file.expired" not in hook.inner_text()

        hook.locator("button:text('Send test')").click()
        (got,) = receiver.wait_for(1)
        page.wait_for_selector(".delivery.delivered")
        screenshot(page, "12-notifications")

    verify(secret, got.headers, got.body)
    assert json.loads(got.body)["type"] == "webhook.test"
    assert "webhook.test · attempt 1" in page.locator(".delivery").first.inner_text()
    page.reload()
    page.click("#tab-account")
    page.wait_for_selector(".webhook")
    assert secret not in page.content()  # shown only once
