"""The child's own pages, "Min röst", in a real browser [issue 5] [QUALITY 1, 2].

Elsa Berg (14) has the code her mother Maria gave her. On a 360 px phone, with the keyboard alone, she types
it, reads the steps, answers every question (one per page), shares some answers with her parents and not
others, sees "Klart!", and closes. Every page passes ``check_page`` with the children's bar (LIX ≤ 28, axe
clean, no sideways scrolling); the start page and "Klart!" also at 1280 px. Then again without JavaScript.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    HEIGHT,
    WIDTHS,
    check_box,
    check_page,
    check_page_at_every_width,
    choose_radio,
    h1_text,
    press_enter_and_load,
    tab_to,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser

# (question, what Elsa writes or chooses, whether her parents may read it)
ANSWERS = [
    ("Vad är viktigt för dig?", "Mina kompisar och min hund", True),
    ("Vad går bra för dig nu?", "Fotbollen", True),
    ("Vad går inte så bra?", "Skolan på morgonen", False),
    ("Vad vill du ska hända?", "Att jag orkar gå till skolan", True),
    ("Vem vill du ha med på mötet?", "Mamma och min mentor", True),
    ("Vill du vara med på mötet?", "Ja, på en del av mötet", True),
    ("Om du inte är med: vem ska säga vad du tycker?", "Mamma", False),
    ("Vad vill du inte prata om på mötet?", "Pappas nya jobb", None),  # never for the parents
]


def _code_from_a_guardian(live_server) -> tuple[str, str]:
    """What Maria's page does when she gives Elsa her own code: the code as shown, and the case id."""
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase
    from citizen_app.services import access_links

    with live_server.app.app_context():
        elsa = db.session.scalar(select(Person).where(Person.display_name == "Elsa Berg"))
        maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
        case = db.session.scalar(select(SipCase).where(SipCase.subject_id == elsa.id))
        made = access_links.create(
            access_links.CHILD_PAGES,
            case,
            maria,
            person=elsa,
            days=access_links.CHILD_ACCESS_DAYS,
            as_code=True,
        )
        db.session.commit()
        shown, public_id = access_links.show_code(made.secret), case.public_id
        db.session.remove()
    return shown, public_id


def _shared_answers(live_server, public_id: str) -> dict[str, set[str]]:
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase
    from citizen_app.services import preparation

    with live_server.app.app_context():
        case = db.session.scalar(select(SipCase).where(SipCase.public_id == public_id))
        maria = db.session.scalar(select(Person).where(Person.display_name == "Maria Berg"))
        seen = {
            "parents": {row.text for row in preparation.child_answers_for(maria, case).values()},
            "child": {row.text for row in preparation.child_answers_for(case.subject, case).values()},
        }
        db.session.remove()
    return seen


def _child_journey(page, live_server, javascript: bool) -> None:
    live_server.reset_demo_data()  # each run starts with no answers
    code, public_id = _code_from_a_guardian(live_server)
    page.goto("/min-rost")
    check_page(page, child=True, label="Skriv din kod")
    tab_to(page, "the code field", "el.id === 'code'")
    page.keyboard.type(code.lower())
    tab_to_button(page, "Öppna")
    press_enter_and_load(page)
    assert code.replace("-", "") not in page.url

    assert h1_text(page) == "Min röst"
    check_page_at_every_width(page, child=True, label="Min röst, start")
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    assert page.locator(".child-steps__item").count() == 4
    assert "Nu är du här." in page.locator("[aria-current=step]").inner_text()
    tab_to_link(page, "Börja")
    press_enter_and_load(page)

    for number, (question, answer, share) in enumerate(ANSWERS, start=1):
        assert h1_text(page) == question
        assert f"Fråga {number} av {len(ANSWERS)}" in page.locator(".child-progress").inner_text()
        check_page(page, child=True, label=f"question {number}")
        if question.startswith("Vill du vara med"):
            choose_radio(page, "choice", answer)
        else:
            tab_to(page, "the answer field", "el.id === 'text'")
            page.keyboard.type(answer)
        if share is None:
            assert page.locator("#share").count() == 0
            assert "Det här ser bara din samordnare." in page.locator("main").inner_text()
        elif share:
            check_box(page, "Mina föräldrar får läsa det här före mötet")
        tab_to_button(page, "Spara och gå vidare")
        press_enter_and_load(page)

    assert h1_text(page) == "Klart!"
    check_page_at_every_width(page, child=True, label="Klart!")
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    text = page.locator("main").inner_text()
    assert text.count("Dina föräldrar får se.") == 5
    assert text.count("Bara samordnaren ser.") == 3

    seen = _shared_answers(live_server, public_id)
    assert "Skolan på morgonen" not in seen["parents"]
    assert "Pappas nya jobb" not in seen["parents"]
    assert "Mina kompisar och min hund" in seen["parents"]
    assert {"Skolan på morgonen", "Pappas nya jobb"} <= seen["child"]

    tab_to_button(page, "Stäng")
    press_enter_and_load(page)
    assert h1_text(page) == "Nu är det stängt"
    check_page(page, child=True, label="closed")
    page.goto(f"/min-rost/sip/{public_id}")
    assert h1_text(page) == "Skriv din kod"


def test_a_child_answers_with_the_keyboard_on_a_phone(new_page, live_server):
    _child_journey(new_page(), live_server, javascript=True)


def test_a_child_answers_without_javascript(new_page, live_server):
    _child_journey(new_page(javascript=False), live_server, javascript=False)
