"""The county's administrator at work, in a real browser [issue 18].

Anna Ek, the demo's administrator, signs in on the test-identity page, finds "Administration" on the staff
start page, adds a unit to Region Exempel (a name already taken is shown again with its message first), adds a
staff member and makes them coordinator of the new unit. Keyboard only; every page through ``check_page``
(axe-core, no sideways scrolling, plain language), the key pages at 360 and 1280 px; with and without
JavaScript.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    check_box,
    check_key_page,
    check_page,
    choose_radio,
    focus_is,
    h1_text,
    main_text,
    press_enter_and_load,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser

ADMINISTRATOR = "Anna Ek"
TAKEN_NAME = "Vårdcentralen Norra"  # a demo unit


def type_in(page, field: str, text: str) -> None:
    tab_to(page, f"the field {field!r}", f"el.name === {field!r}")
    page.keyboard.type(text)


def choose_option(page, field: str, text: str) -> None:
    tab_to(page, f"the select {field!r}", f"el.tagName === 'SELECT' && el.name === {field!r}")
    for _ in range(40):
        if focus_is(page, f"el.selectedIndex > 0 && el.options[el.selectedIndex].text === {text!r}"):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {text!r} in {field!r}")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_an_administrator_adds_a_unit_and_a_coordinator_with_the_keyboard(new_page, javascript):
    suffix = "Syd" if javascript else "Väst"
    unit_name = f"Vårdcentralen {suffix}"
    staff_name = f"Sam {suffix}"
    hsa_serial = "10" if javascript else "20"
    page = new_page(javascript=javascript)

    sign_in_with_the_keyboard(page, ADMINISTRATOR)
    check_page(page, label="staff start page of the administrator")
    tab_to_link(page, "Administration")
    press_enter_and_load(page)
    assert h1_text(page) == "Administration"
    check_key_page(page, "administration start")

    tab_to_link(page, "Huvudmän och enheter")
    press_enter_and_load(page)
    check_page(page, label="principals")
    tab_to_link(page, "Region Exempel")
    press_enter_and_load(page)
    assert h1_text(page) == "Huvudman: Region Exempel"
    check_page(page, label="a principal and its units")

    tab_to_link(page, "Lägg till en enhet")
    press_enter_and_load(page)
    check_key_page(page, "new unit form")
    type_in(page, "name", TAKEN_NAME)
    choose_radio(page, "kind", "Vårdcentral")
    type_in(page, "hsa_id", f"SE2321000032-10{hsa_serial}")
    type_in(page, "phone", "010-111 22 33")
    check_box(page, "Enheten är fast vårdkontakt")
    tab_to_button(page, "Spara")
    press_enter_and_load(page, expected_status=422)
    assert "Det finns redan en enhet med det namnet" in main_text(page)
    check_key_page(page, "new unit form with an error")
    if javascript:
        assert focus_is(page, "el.classList.contains('error-summary')"), "the error summary should have focus"

    tab_to(page, "the name field", "el.name === 'name'")
    page.keyboard.press("Control+A")
    page.keyboard.type(unit_name)
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Enheten är tillagd." in main_text(page)
    assert unit_name in main_text(page)

    page.goto("/admin/")
    tab_to_link(page, "Personal")
    press_enter_and_load(page)
    check_key_page(page, "staff list")
    tab_to_link(page, "Lägg till en person")
    press_enter_and_load(page)
    check_key_page(page, "new staff member form")
    type_in(page, "display_name", staff_name)
    type_in(page, "hsa_id", f"SE2321000032-20{hsa_serial}")
    type_in(page, "title", "Samordnare")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Personen är tillagd." in main_text(page)
    assert staff_name in h1_text(page)
    assert staff_name not in page.title()  # a page title names nobody
    check_page(page, label="a new staff member")

    choose_option(page, "unit", unit_name)
    choose_radio(page, "role", "Samordnare")
    tab_to_button(page, "Spara rollen")
    press_enter_and_load(page)
    assert "Rollen är sparad." in main_text(page)
    assert f"{unit_name} Samordnare" in main_text(page)
    check_key_page(page, "a staff member with a role")

    page.goto("/admin/")
    check_key_page(page, "administration start with the latest changes")
    changes = main_text(page)
    assert f"Anna Ek gav en person en roll på en enhet. {staff_name} ({unit_name})" in changes
    assert f"Anna Ek lade till en enhet. {unit_name}" in changes


def _public_id(live_server, model_name: str, column: str, value: str) -> str:
    from sqlalchemy import select

    from citizen_app import models
    from citizen_app.extensions import db

    model = getattr(models, model_name)
    with live_server.app.app_context():
        found = db.session.scalars(select(model.public_id).where(getattr(model, column) == value)).one()
        db.session.remove()
    return found


def test_the_other_administration_pages_meet_the_bars(new_page, live_server):
    page = new_page()
    sign_in_with_the_keyboard(page, ADMINISTRATOR)
    region = _public_id(live_server, "Principal", "name", "Region Exempel")
    social = _public_id(live_server, "Unit", "name", "Socialtjänsten Exempelstad")
    kent = _public_id(live_server, "StaffUser", "display_name", "Kent Olofsson")
    anna = _public_id(live_server, "StaffUser", "display_name", ADMINISTRATOR)
    for path, label in (
        ("/admin/huvudman/ny", "new principal form"),
        (f"/admin/huvudman/{region}/andra", "principal form"),
        (f"/admin/enheter/{social}", "unit form of an intake unit with a coordinator"),
        (f"/admin/personal/{kent}", "a coordinator's page"),
        (f"/admin/personal/{kent}/andra", "staff form"),
        (f"/admin/personal/{anna}", "the administrator's own page"),
        ("/admin/personal?sok=exempel", "a search that finds nobody"),
    ):
        page.goto(path)
        check_key_page(page, label)

    # The last administrator tries to step down: told why, on the same page.
    page.goto(f"/admin/personal/{anna}")
    tab_to_button(page, "Ta bort som administratör")
    press_enter_and_load(page, expected_status=422)
    assert "Det måste alltid finnas minst en administratör" in main_text(page)
    check_key_page(page, "the last administrator cannot step down")
