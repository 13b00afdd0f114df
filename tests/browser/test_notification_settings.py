""" "Aviseringar" in Chromium [issue 8] [QUALITY 6]: without JavaScript the page says plainly that the browser
cannot get notifications and the kinds can still be chosen; with it, the button appears and the browser asks
for permission only after the tap. Headless Chromium has no push service, so the last step (the browser's
PushSubscription) is tested in tests/web/test_notification_settings.py with a subscription made in Python.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_page, check_page_at_every_width, sign_in_as

pytestmark = pytest.mark.browser

CANNOT = "Den här webbläsaren kan inte få aviseringar."
TURN_ON = "Slå på aviseringar på den här enheten"


def test_without_javascript_the_page_says_so_and_the_kinds_still_work(new_page):
    page = new_page(javascript=False)
    sign_in_as(page, "Anna Lind")
    page.goto("/aviseringar")
    assert page.get_by_text(CANNOT).is_visible()
    assert not page.get_by_role("button", name=TURN_ON).is_visible()
    check_page(page)
    page.get_by_label("Nya meddelanden").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Spara val").click()
    assert page.get_by_text("Dina val är sparade.").is_visible()
    assert not page.get_by_label("Nya meddelanden").is_checked()
    assert page.get_by_label("Din plan är klar att läsa").is_checked()


def test_with_javascript_the_permission_is_asked_only_after_the_tap(new_page):
    page = new_page()
    sign_in_as(page, "Anna Lind")
    page.goto("/aviseringar")
    button = page.get_by_role("button", name=TURN_ON)
    button.wait_for()
    assert not page.get_by_text(CANNOT).is_visible()
    assert page.evaluate("Notification.permission") == "default"  # loading the page asked nothing
    check_page_at_every_width(page)
    button.click()  # headless Chromium answers the prompt with "no"
    status = page.locator("[data-push-status]")
    status.get_by_text("Webbläsaren får inte visa aviseringar.", exact=False).wait_for()
    assert button.is_enabled()
    check_page(page)


def test_when_the_browser_cannot_subscribe_the_page_says_so_and_nothing_is_saved(new_page, live_server):
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=live_server.base_url)
    sign_in_as(page, "Anna Lind")
    page.goto("/aviseringar")
    page.get_by_role("button", name=TURN_ON).click()  # allowed, but there is no push service here
    page.locator("[data-push-status]").get_by_text("Det gick inte.", exact=False).wait_for()
    assert page.get_by_role("button", name=TURN_ON).is_enabled()
    assert page.get_by_text("Du har inte slagit på aviseringar på någon enhet än.").is_visible()
