"""The acceptance journey of issue 15 (the 18th birthday), in a real browser.

On the demo data, Ida Sund turns 18 three weeks after the day the demo is loaded. Her guardians Eva and Nils
Sund have both said yes to her SIP, which Kent Olofsson coordinates. Before the birthday Ida reads "Snart
fyller du 18 år". Then the live server's clock is set to her birthday (``live_clock_on``) and the daily job
runs as cron runs it (``flask run-jobs``). Ida signs in, reads that she decides herself from her 18th
birthday, and gives her own consent with the keyboard alone. Her guardians no longer reach the SIP, and the
coordinator's SIP page shows what happened. Every page passes ``check_page`` (axe-core, no CSP problem, no
sideways scrolling, plain language); the key pages also at 1280 px. The journey runs again with JavaScript
switched off [issue 15; QUALITY 1, 2].
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time

from tests.browser.conftest import (
    WIDTHS,
    check_box,
    check_key_page,
    check_page,
    choose_radio,
    h1_text,
    main_text,
    press_enter_and_load,
    sign_in_as,
    sign_in_with_the_keyboard,
    tab_to_button,
    tab_to_link,
    tab_to_link_to,
)

pytestmark = pytest.mark.browser

YOUNG = "Ida Sund"
GUARDIANS = ("Eva Sund", "Nils Sund")
COORDINATOR = "Kent Olofsson"
UNITS = ("Björkskolan", "Socialtjänsten Exempelstad")


@contextmanager
def live_clock_on(day: date) -> Iterator[None]:
    """Set the live server's clock to noon (UTC) on ``day``, and let it run on from there.

    The live server is a thread of this test process, so freezegun moves its clock: ``date.today()`` in the
    app, the Swedish day of the daily job, sessions and form tokens all agree. asyncio keeps the real clock
    (``real_asyncio``) and Playwright's own calls are left alone, so the browser's timeouts still work.
    Test-only: freezegun is a test dependency and the app has no way to set its clock.
    """
    with freeze_time(
        datetime.combine(day, time(12), tzinfo=UTC), tick=True, real_asyncio=True, ignore=["playwright"]
    ):
        yield


def run_the_daily_jobs(live_server) -> None:
    """What cron runs every few minutes, in the live server's app and database."""
    result = live_server.app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output + repr(result.exception)


def ida_and_her_birthday(live_server) -> tuple[str, date]:
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase

    with live_server.app.app_context():
        ida = db.session.scalars(select(Person).where(Person.display_name == YOUNG)).one()
        case = db.session.scalars(select(SipCase).where(SipCase.subject_id == ida.id)).one()
        found = case.public_id, ida.adult_from()
        db.session.remove()
    return found


def open_her_sip_from_the_overview(page, case_id: str) -> None:
    assert h1_text(page) == "Dina SIP:ar"
    tab_to_link_to(page, f"/sip/{case_id}")
    press_enter_and_load(page)
    assert h1_text(page) == "Din SIP"


def before_the_birthday_she_is_told(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, YOUNG)
    open_her_sip_from_the_overview(page, case_id)
    text = main_text(page)
    assert "Snart fyller du 18 år" in text
    assert "Från din 18-årsdag bestämmer du själv över din SIP." in text
    check_key_page(page, "case page, three weeks before the 18th birthday")
    page.goto("/meddelanden")
    assert "Snart fyller du 18 år. Från din 18-årsdag bestämmer du själv över din SIP." in main_text(page)
    check_page(page, label="messages, the 18th birthday soon")


def continue_to_next_question(page) -> None:
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)


def on_the_birthday_she_gives_her_own_consent(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, YOUNG)
    open_her_sip_from_the_overview(page, case_id)
    text = main_text(page)
    assert "Från din 18-årsdag bestämmer du själv" in text
    assert "Dina föräldrars ja gäller inte längre." in text
    check_key_page(page, "case page, on the 18th birthday")

    tab_to_link(page, "Säg ja själv")
    press_enter_and_load(page)
    assert h1_text(page) == "Samtycke"
    text = main_text(page)
    assert "Från din 18-årsdag bestämmer du själv" in text
    assert "Samtycket gäller" not in text  # her parents' yes no longer counts
    for guardian in GUARDIANS:
        assert f"Ja från {guardian} gäller inte längre." in text
    check_key_page(page, "consent page, on the 18th birthday")

    tab_to_button(page, "Säg ja till samtycke")
    press_enter_and_load(page)
    assert h1_text(page) == "Vilka får vara med?"
    check_page(page, label="consent question: parties")
    for name in UNITS:
        check_box(page, name)
    continue_to_next_question(page)

    assert h1_text(page) == "Vad får de dela?"
    check_page(page, label="consent question: categories")
    check_box(page, "Skola")
    check_box(page, "Stöd från socialtjänsten")
    continue_to_next_question(page)

    assert h1_text(page) == "Finns det något som inte får delas? (valfritt)"
    check_page(page, label="consent question: exclusions")
    continue_to_next_question(page)

    assert h1_text(page) == "Hur länge ska samtycket gälla?"
    check_page(page, label="consent question: period")
    choose_radio(page, "period", "Ett år")
    continue_to_next_question(page)

    assert h1_text(page) == "Det här samtycker du till"
    summary = main_text(page)
    assert all(name in summary for name in UNITS)
    check_key_page(page, "consent summary, her own")
    tab_to_button(page, "Ja, jag samtycker")
    press_enter_and_load(page)
    assert h1_text(page) == "Kvitto"
    assert "Tack. Ditt samtycke är sparat." in main_text(page)
    check_key_page(page, "receipt, her own consent")

    tab_to_link(page, "Till samtycket")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Samtycket gäller" in text
    assert "Du har fyllt 18 år. Nu bestämmer du själv över din SIP. Ditt eget ja gäller." in text
    check_key_page(page, "consent page, her own consent in force")


def her_guardians_no_longer_reach_the_sip(page, case_id: str) -> None:
    for guardian in GUARDIANS:
        page.context.clear_cookies()
        sign_in_as(page, guardian)
        assert page.locator(f"main a[href^='/sip/{case_id}']").count() == 0, guardian
        check_page(page, label=f"overview of {guardian}, after the 18th birthday")
        response = page.goto(f"/sip/{case_id}")
        assert response is not None and response.status == 404, guardian
        check_page(page, label=f"the SIP as {guardian} now finds it")


def the_coordinator_sees_the_change(page, case_id: str) -> None:
    sign_in_as(page, COORDINATOR)
    page.goto(f"/personal/sip/{case_id}")
    text = main_text(page)
    assert "Personen fyllde 18. Vårdnadshavarnas samtycke gäller inte längre." in text
    for guardian in GUARDIANS:
        assert f"Samtycket från {guardian} gäller inte längre: personen fyllde 18." in text
    check_key_page(page, "staff SIP page, after the 18th birthday")
    page.goto("/meddelanden")
    assert "En person i din SIP har fyllt 18." in main_text(page)
    check_page(page, label="coordinator's messages, after the 18th birthday")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_young_person_turns_18_and_decides_herself(new_page, live_server, javascript):
    live_server.reset_demo_data()  # each run starts three weeks before Ida's birthday
    case_id, birthday = ida_and_her_birthday(live_server)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", case_id)

    run_the_daily_jobs(live_server)  # today's run tells her the birthday is near
    before_the_birthday_she_is_told(new_page(width=WIDTHS[0], javascript=javascript), case_id)

    with live_clock_on(birthday):
        run_the_daily_jobs(live_server)
        on_the_birthday_she_gives_her_own_consent(new_page(width=WIDTHS[0], javascript=javascript), case_id)
        her_guardians_no_longer_reach_the_sip(new_page(width=WIDTHS[0], javascript=javascript), case_id)
        the_coordinator_sees_the_change(new_page(width=WIDTHS[0], javascript=javascript), case_id)
