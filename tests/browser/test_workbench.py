""" "Mina SIP:ar" on the staff start page in Chromium (issue 16): the demo coordinator Rita Samuelsson's
thirteen SIPs, the fullest start page the demo has, at 360 and 1280 px with axe clean, with and without
JavaScript; the keyboard reaches the filter, searches, and reaches the list."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    check_page,
    check_page_at_every_width,
    focus_is,
    press_enter_and_load,
    sign_in_as,
    tab_to,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_coordinator_finds_her_sips_with_the_keyboard(new_page, javascript):
    page = new_page(javascript=javascript)
    sign_in_as(page, "Rita Samuelsson")
    page.goto("/personal/")
    rows = page.locator("#mina-sipar ~ ol > li")
    assert rows.count() == 13  # her twelve, and Karl Nyström's discharge SIP in her unit's queue
    assert "Försenad" in rows.first.inner_text()  # overdue first
    check_page_at_every_width(page, label="workbench, thirteen SIPs")

    tab_to(page, "the step filter", "el.id === 'steg'")
    tab_to(page, "the name search", "el.id === 'namn'")
    page.keyboard.type("sjöberg")
    tab_to_button(page, "Visa")
    press_enter_and_load(page)
    assert [a.inner_text() for a in page.locator("#mina-sipar ~ ol h3 a").all()] == ["Alva Sjöberg"]
    assert page.locator("#namn").input_value() == "sjöberg"
    check_page(page, label="workbench, searched")
    tab_to_link(page, "Alva Sjöberg")
    assert focus_is(page, "el.closest('ol.workbench')")
    press_enter_and_load(page)
    assert "/personal/sip/" in page.url

    page.goto("/personal/?steg=follow_up&namn=ingen")
    assert page.get_by_text("Ingen av dina SIP:ar passar det du valde.").is_visible()
    check_page(page, label="workbench, no match")


def test_a_member_of_a_taking_part_unit_sees_the_sips_the_consent_lets_her_see(new_page):
    page = new_page()
    sign_in_as(page, "Vera Nilsson")
    page.goto("/personal/")
    assert page.locator("#enhetens-sipar ~ ol > li").count() == 2
    assert page.get_by_text("Du är inte samordnare för någon SIP.").is_visible()
    check_page_at_every_width(page, label="workbench, a taking-part unit")
