"""Issue 16 in a real browser: a meeting that already happened is written down afterwards.

On the demo data, Kent Olofsson coordinates Ida Sund's SIP; both her guardians have said yes, and nothing is
booked. Ida's family and the school met today at 13:30, before Kent had booked anything in Min SIP. Kent opens
the SIP's meeting page with the keyboard alone and chooses "Skriv in ett möte som redan har varit". He first
types tomorrow by mistake: the form comes back with the error summary (focused, with JavaScript) and the date
field marked, and passes axe in that state. He corrects the date and saves: the meeting is held at once. Ida's
guardian Eva (Ida is 17) then reads that the meeting is held, with no deadline ("Ska svara senast") anywhere.

The live server's clock is set to 15:00 UTC today (16:00 or 17:00 in Sweden), so 13:30 has passed. Every
page passes ``check_page`` (axe-core, no CSP problem, no sideways scrolling, plain language); the key pages at
360 and 1280 px. The journey runs with and without JavaScript [issue 16; QUALITY 1, 2].
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

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
    type_date,
)

pytestmark = pytest.mark.browser

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COORDINATOR = "Kent Olofsson"
YOUNG = "Ida Sund"
GUARDIAN = "Eva Sund"  # Ida is 17: her guardians see the meeting for her
MEETING_TIME = "13:30"  # after 12 (typed the same in a 12 h field), before the clock below
PLACE = "Björkskolan, rum 12"
FUTURE_ERROR = "Mötet kan inte ha varit i framtiden. Skriv när det var."


@contextmanager
def live_clock_at_three_pm(day: date) -> Iterator[None]:
    """The live server's clock at 15:00 UTC (16:00 in Sweden) on ``day``, running on from there (as
    test_coming_of_age_journey.live_clock_on: Playwright and asyncio keep the real clock)."""
    with freeze_time(
        datetime.combine(day, time(15), tzinfo=UTC), tick=True, real_asyncio=True, ignore=["playwright"]
    ):
        yield


def idas_sip(live_server) -> str:
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase

    with live_server.app.app_context():
        ida = db.session.scalars(select(Person).where(Person.display_name == YOUNG)).one()
        case_id = db.session.scalars(select(SipCase.public_id).where(SipCase.subject_id == ida.id)).one()
        db.session.remove()
    return case_id


def fill_in_the_meeting(page, day: date) -> None:
    """Date, time, on site, the place, and the consent confirmed as it is: all with the keyboard."""
    tab_to(page, "the date field", "el.id === 'date'")
    type_date(page, day)
    tab_to(page, "the time field", "el.id === 'time'")
    page.keyboard.type(MEETING_TIME.replace(":", ""))  # hours then minutes, whether the field is 24 h or 12 h
    assert page.evaluate("document.activeElement.value") == MEETING_TIME
    tab_to(page, "the length field", "el.id === 'length'")
    assert page.evaluate("document.activeElement.value") == "60", "an hour is filled in to start with"
    choose_radio(page, "mode", "På plats")
    tab_to(page, "the place field", "el.id === 'place'")
    page.keyboard.type(PLACE)
    choose_radio(page, "consent_outcome", "Ja, som det är")


def coordinator_opens_the_form(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    page.goto(f"/personal/sip/{case_id}")
    assert h1_text(page) == f"SIP för {YOUNG}"
    check_page(page, label="staff case page, no meeting yet")
    tab_to_link(page, "Förberedelse, tid och inbjudan")
    press_enter_and_load(page)
    assert h1_text(page) == f"Mötet för {YOUNG}"
    assert "Det finns inget möte än." in main_text(page)
    check_key_page(page, "staff meeting page, no meeting yet")
    tab_to_link(page, "Skriv in ett möte som redan har varit")
    press_enter_and_load(page)
    assert h1_text(page) == "Skriv in ett möte som redan har varit"
    check_key_page(page, "record a past meeting, empty")


def a_time_in_the_future_is_refused(page, javascript: bool, tomorrow: date) -> None:
    fill_in_the_meeting(page, tomorrow)
    tab_to_button(page, "Spara: mötet är hållet")
    press_enter_and_load(page, expected_status=422)

    assert h1_text(page) == "Skriv in ett möte som redan har varit"
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert FUTURE_ERROR in " ".join(summary.inner_text().split())
    assert summary.locator("a[href='#date']").count() == 1, "the summary links to the date field"
    if javascript:  # app.js moves focus to the summary, so a screen reader reads it first
        assert focus_is(page, "el.classList.contains('error-summary')"), "the error summary should have focus"
    date_field = page.locator("#date")
    assert date_field.get_attribute("aria-invalid") == "true"
    assert page.locator(".field--error #date").count() == 1, "the date field is marked"
    # What was typed stays, so only the date needs to be written again.
    assert page.locator("#time").input_value() == MEETING_TIME
    assert page.locator("#place").input_value() == PLACE
    assert page.locator("input[name=mode][value=in_person]").is_checked()
    assert page.locator("input[name=consent_outcome][value=confirmed]").is_checked()
    check_key_page(page, "record a past meeting, a time in the future")


def the_corrected_meeting_is_held(page, today: date) -> None:
    tab_to(page, "the date field", "el.id === 'date'")
    type_date(page, today)
    tab_to_button(page, "Spara: mötet är hållet")
    press_enter_and_load(page)

    assert h1_text(page) == f"Mötet för {YOUNG}"
    text = main_text(page)
    assert "Mötet är markerat som hållet. Skriv planen inom 2 arbetsdagar." in text
    assert "Mötet är hållet." in text
    assert PLACE in text
    assert "Ska svara senast" not in text
    check_key_page(page, "staff meeting page, the past meeting held")


def her_guardian_sees_it_held(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, GUARDIAN)
    page.goto(f"/sip/{case_id}")
    tab_to_link(page, "Mötet som har varit: tid, plats och vilka som var inbjudna")
    press_enter_and_load(page)
    assert h1_text(page) == "Mötet"
    text = main_text(page)
    assert "Mötet är hållet." in text
    assert PLACE in text
    assert "Ska svara senast" not in text and "senast" not in text
    assert "Ingen är inbjuden än." not in text, "a held meeting is not waiting for invitations"
    check_key_page(page, "the guardian's meeting page, held")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_coordinator_writes_down_a_meeting_that_already_happened(new_page, live_server, javascript):
    live_server.reset_demo_data()  # each run starts with no meeting in Ida's SIP
    case_id = idas_sip(live_server)
    today = datetime.now(STOCKHOLM).date()
    with live_clock_at_three_pm(today):
        page = new_page(width=WIDTHS[0], javascript=javascript)
        coordinator_opens_the_form(page, case_id)
        a_time_in_the_future_is_refused(page, javascript, today + timedelta(days=1))
        the_corrected_meeting_is_held(page, today)
        her_guardian_sees_it_held(new_page(width=WIDTHS[0], javascript=javascript), case_id)
