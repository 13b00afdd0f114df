"""Moving the coordination and closing the SIP with the person, in a real browser [issue 16].

On the demo data, Karl Nyström's SIP (started at the hospital ward, coordinated at discharge by his fast
vårdkontakt Psykiatrin Centrum) is coordinated by Rita Samuelsson; the first meeting is held (set up here).
Rita proposes that the municipality's social services take over; Kent Olofsson finds the
proposal under "Förslag att ta över samordning" and takes over. Lena Ek, Karl's god man, reads who
coordinates now. Kent closes the SIP with the person: the page says who will be told, a missing answer is
shown again, and the SIP closes. Keyboard only, every page through ``check_page`` (axe-core, no sideways
scrolling, plain language), the key pages at 360 and 1280 px; the journey runs with and without JavaScript.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    WIDTHS,
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

PERSON = "Karl Nyström"
REPRESENTATIVE = "Lena Ek"
FROM_COORDINATOR = "Rita Samuelsson"
TO_COORDINATOR = "Kent Olofsson"
TO_UNIT = "Socialtjänsten Exempelstad"
REASON = "Karl vill ha hjälp hemma nu. Den hjälpen ger kommunen."


def karls_sip_after_the_first_meeting(live_server) -> str:
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import CoordinatorAssignment, Person, SipCase, StaffUser, Step

    with live_server.app.app_context():
        karl = db.session.scalars(select(Person).where(Person.display_name == PERSON)).one()
        case = db.session.scalars(select(SipCase).where(SipCase.subject_id == karl.id)).one()
        rita = db.session.scalars(select(StaffUser).where(StaffUser.display_name == FROM_COORDINATOR)).one()
        case.step = Step.MEETING_HELD
        db.session.add(CoordinatorAssignment(case_id=case.id, staff_id=rita.id))
        db.session.commit()
        found = case.public_id
        db.session.remove()
    return found


def choose_option(page, field: str, text: str) -> None:
    """Tab to a select and move with the arrow keys until ``text`` is chosen."""
    tab_to(page, f"the select {field!r}", f"el.tagName === 'SELECT' && el.name === {field!r}")
    for _ in range(40):
        if focus_is(page, f"el.selectedIndex > 0 && el.options[el.selectedIndex].text === {text!r}"):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {text!r} in {field!r}")


def type_in(page, field: str, text: str) -> None:
    tab_to(page, f"the field {field!r}", f"el.name === {field!r}")
    page.keyboard.type(text)


def rita_proposes_the_move(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, FROM_COORDINATOR)
    page.goto(f"/personal/sip/{case_id}")
    check_page(page, label="staff SIP page, after the first meeting")
    tab_to_link(page, "Flytta samordningen till en annan enhet")
    press_enter_and_load(page)
    assert h1_text(page) == "Flytta samordningen"
    check_key_page(page, "move the coordination")
    tab_to_button(page, "Skicka förslaget")
    press_enter_and_load(page, expected_status=422)
    assert "Välj en annan enhet som har en samordnare" in main_text(page)
    check_page(page, label="move the coordination, with mistakes")
    choose_option(page, "unit", TO_UNIT)
    type_in(page, "reason", REASON)
    tab_to_button(page, "Skicka förslaget")
    press_enter_and_load(page)
    assert f"{FROM_COORDINATOR} har föreslagit att {TO_UNIT} tar över samordningen." in main_text(page)
    check_page(page, label="staff SIP page, the proposal waiting")


def kent_takes_over(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, TO_COORDINATOR)
    page.goto("/personal/samordning")
    assert PERSON in main_text(page)
    check_key_page(page, "proposals to take over")
    tab_to_link(page, PERSON)
    press_enter_and_load(page)
    assert REASON in main_text(page)
    check_key_page(page, "one proposal")
    tab_to_button(page, "Ta över samordningen")
    press_enter_and_load(page)
    assert page.url.endswith(f"/personal/sip/{case_id}")
    text = main_text(page)
    assert f"Samordningen flyttade till {TO_UNIT}. Ny samordnare: {TO_COORDINATOR}." in text
    check_page(page, label="staff SIP page, after taking over")


def lena_reads_who_coordinates_now(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, REPRESENTATIVE)
    page.goto("/meddelanden")
    told = f"SIP:en har fått en ny samordnare. Det är {TO_COORDINATOR}. Hen finns på {TO_UNIT}."
    assert told in main_text(page)
    check_page(page, label="messages, the coordination moved")
    page.goto(f"/sip/{case_id}")
    assert f"Samordningen flyttade till {TO_UNIT}. Ny samordnare: {TO_COORDINATOR}." in main_text(page)
    check_key_page(page, "case page, the coordination moved")


def kent_closes_it_with_the_person(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, TO_COORDINATOR)
    page.goto(f"/personal/sip/{case_id}")
    tab_to_link(page, "Avsluta SIP:en")
    press_enter_and_load(page)
    assert h1_text(page) == "Avsluta SIP:en"
    text = main_text(page)
    assert "De här får ett meddelande" in text and REPRESENTATIVE in text
    check_key_page(page, "close the SIP")
    choose_radio(page, "reason", "Målen är nådda")
    tab_to_button(page, "Avsluta SIP:en")
    press_enter_and_load(page, expected_status=422)
    assert "Välj om personen håller med om att SIP:en avslutas" in main_text(page)
    check_page(page, label="close the SIP, with mistakes")
    choose_radio(page, "agreement", "Ja, personen håller med")
    tab_to_button(page, "Avsluta SIP:en")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Personen håller med." in text
    check_page(page, label="staff SIP page, closed")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_coordination_moves_to_the_municipality_and_the_sip_is_closed_with_the_person(
    new_page, live_server, javascript
):
    live_server.reset_demo_data()
    case_id = karls_sip_after_the_first_meeting(live_server)
    rita_proposes_the_move(new_page(width=WIDTHS[0], javascript=javascript), case_id)
    kent_takes_over(new_page(width=WIDTHS[0], javascript=javascript), case_id)
    lena_reads_who_coordinates_now(new_page(width=WIDTHS[0], javascript=javascript), case_id)
    kent_closes_it_with_the_person(new_page(width=WIDTHS[0], javascript=javascript), case_id)
