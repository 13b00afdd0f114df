"""Signing out on every device, in a real browser [issue 12]: the link beside the signed-in name, a page that
explains it (axe-core and LIX at 360 px and 1280 px), and a button that ends the session on the other phone
too. Also with JavaScript off and with the keyboard alone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    check_page,
    check_page_at_every_width,
    h1_text,
    press_enter_and_load,
    sign_in_as,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser

EVERYWHERE = "Logga ut på alla enheter"


def _signed_in(page) -> bool:
    page.goto("/om-min-sip")
    return page.locator("form.sign-out").count() > 0


@pytest.mark.parametrize("who,start_h1", [("Maria Berg", "Dina SIP:ar"), ("Kent Olofsson", "Personal")])
def test_signing_out_on_all_devices_ends_the_session_on_the_phone_too(new_page, who, start_h1):
    phone, computer = new_page(width=360), new_page(width=1280)
    sign_in_as(phone, who)
    sign_in_as(computer, who)
    assert h1_text(phone) == start_h1

    computer.get_by_role("link", name=EVERYWHERE).click()
    assert h1_text(computer) == EVERYWHERE
    check_page_at_every_width(computer, label="sign out on all devices")
    with computer.expect_navigation():
        computer.locator("main").get_by_role("button", name=EVERYWHERE).click()
    assert h1_text(computer) == "Du är utloggad"

    assert not _signed_in(phone)
    assert not _signed_in(computer)


def test_signing_out_on_all_devices_works_without_javascript_and_with_the_keyboard(new_page):
    page = new_page(javascript=False)
    sign_in_as(page, "Anna Lind")
    tab_to_link(page, EVERYWHERE)
    press_enter_and_load(page)
    assert h1_text(page) == EVERYWHERE
    check_page(page, label="sign out on all devices without JavaScript")
    tab_to_button(page, EVERYWHERE)
    press_enter_and_load(page)
    assert h1_text(page) == "Du är utloggad"
    assert not _signed_in(page)
