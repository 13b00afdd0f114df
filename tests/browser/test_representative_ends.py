"""Issue 18 in a real browser: a legal representative's decision ends, and the coordinator writes it down.

On the demo data Rita Samuelsson coordinates Greta Lundin's SIP (58, at the consent step). Greta has a
god man, Lars Lundin, registered from the decision a month ago. Överförmyndaren has now ended his assignment.
Rita finds Greta's SIP in "Mina SIP:ar", opens the representatives, chooses "Beslutet har upphört" for Lars
and first types a day before the decision began by mistake: the form comes back with the error summary and
passes axe in that state. She types yesterday and saves: Lars is listed as no longer holding, with no link
to end him again. Every page passes ``check_page``; the key pages at 360 and 1280 px; with and without
JavaScript.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import (
    WIDTHS,
    check_key_page,
    check_page,
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

COORDINATOR = "Rita Samuelsson"
PERSON = "Greta Lundin"
GOD_MAN = "Lars Lundin"
BEFORE_THE_DECISION = "Den sista dagen kan inte vara före första dagen"


def greta_has_a_god_man(live_server) -> str:
    """Lars Lundin, Greta's god man (sörja för person) for 30 days, registered by Rita. Greta's SIP id."""
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase, StaffUser
    from citizen_app.services import representation
    from citizen_app.services.demo import test_identity_number

    with live_server.app.app_context():
        greta = db.session.scalars(select(Person).where(Person.display_name == PERSON)).one()
        case = db.session.scalars(select(SipCase).where(SipCase.subject_id == greta.id)).one()
        rita = db.session.scalars(select(StaffUser).where(StaffUser.display_name == COORDINATOR)).one()
        representation.register_representative(
            rita,
            case,
            "god_man",
            test_identity_number(date(1961, 5, 6), 983),
            GOD_MAN,
            ["sorja_for_person"],
            date.today() - timedelta(days=30),
            None,
            "ÖF 2026-77",
        )
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_coordinator_writes_down_that_a_god_mans_decision_has_ended(new_page, live_server, javascript):
    live_server.reset_demo_data()
    case_id = greta_has_a_god_man(live_server)
    page = new_page(width=WIDTHS[0], javascript=javascript)

    sign_in_with_the_keyboard(page, COORDINATOR)
    tab_to(page, "the name search", "el.id === 'namn'")
    page.keyboard.type("greta")
    tab_to_button(page, "Visa")
    press_enter_and_load(page)
    tab_to(
        page, f"the link to {PERSON}", f"el.closest('ol.workbench') && el.textContent.trim() === {PERSON!r}"
    )
    press_enter_and_load(page)
    assert page.url.endswith(f"/personal/sip/{case_id}")
    tab_to_link(page, "Ställföreträdare: se eller skriv in från beslutet")
    press_enter_and_load(page)
    assert h1_text(page) == "Skriv in en ställföreträdare"
    assert GOD_MAN in main_text(page)

    tab_to(
        page, "the link to end Lars's decision", "el.textContent.trim().startsWith('Beslutet har upphört')"
    )
    press_enter_and_load(page)
    assert h1_text(page) == "Beslutet om ställföreträdare upphör"
    check_key_page(page, "end a representative's decision")

    tab_to(page, "the last day", "el.id === 'last_day'")
    type_date(page, date.today() - timedelta(days=40))
    tab_to_button(page, "Spara")
    press_enter_and_load(page, 422)
    assert BEFORE_THE_DECISION in main_text(page)
    check_key_page(page, "end a representative's decision, a day before it began")

    tab_to(page, "the last day", "el.id === 'last_day'")
    type_date(page, date.today() - timedelta(days=1))
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert h1_text(page) == "Skriv in en ställföreträdare"
    text = main_text(page)
    assert "Det är inskrivet att beslutet upphör." in text
    assert GOD_MAN in text and "Beslutet gäller inte längre." in text and "Beslutet har upphört" not in text
    check_page(page, label="the representatives, Lars's decision ended")
