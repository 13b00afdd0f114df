"""The acceptance journey (1) of issue 5, in a real browser: a guardian prepares the meeting, gives the child
a code, the child answers on her own phone and keeps one answer from her parents.

Elsa Berg (14) has a SIP; both her guardians with custody, Maria and Johan, have given consent (set up
through the services in the live server, so the journey does not depend on what other journeys did to the
demo data). On a 360 px phone with the keyboard alone, Maria answers two questions (one per screen), writes
three things to talk about, moves one with the buttons (the focus stays on the moved item and the status says
its new place), marks one "Viktigast", writes what she does not want to talk about, chooses where and how,
and makes a code for Elsa. On another phone Elsa types the code, answers every question, and then takes one
answer back from her parents. Maria's summary shows what Elsa shared, and not the answer Elsa kept from her.

Every page passes ``check_page`` (axe-core with zero violations, no CSP problem, no sideways scrolling;
LIX ≤ 35 on Maria's pages, ≤ 28 on Elsa's); the key pages also at 1280 px. The journey runs again without
JavaScript [issue 5; QUALITY 1, 2].
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    DESCRIBE_FOCUS,
    HEIGHT,
    WIDTHS,
    check_box,
    check_key_page,
    check_page,
    check_page_at_every_width,
    choose_radio,
    focus_is,
    h1_text,
    main_text,
    press_enter_and_load,
    tab_to,
    tab_to_button,
    tab_to_link,
    text_is,
)

pytestmark = pytest.mark.browser

CHILD = "Elsa Berg"
GUARDIAN = "Maria Berg"
OTHER_GUARDIAN = "Johan Berg"

THEME_ANSWERS = [  # (question, Maria's answer): one screen each
    ("Vad är viktigt för dig?", "Att Elsa får gå i skolan och träffa sina vänner."),
    ("Vad fungerar bra?", "Fotbollen på tisdagar går bra."),
]
AGENDA = ["Skolan på morgonen", "Sömnen", "Fritiden"]
MOVED = "Fritiden"  # moved up from place 3 to place 2
MOST_IMPORTANT = "Skolan på morgonen"
NOT_TALK_ABOUT = "Skilsmässan"

# The child's answers: (question, what Elsa writes or chooses, whether her parents may read it at first).
CHILD_ANSWERS = [
    ("Vad är viktigt för dig?", "Min hund och mina kompisar", True),
    ("Vad går bra för dig nu?", "Fotbollen", True),
    ("Vad går inte så bra?", "Att somna på kvällen", True),  # shared first, taken back afterwards
    ("Vad vill du ska hända?", "Att jag orkar gå till skolan", True),
    ("Vem vill du ha med på mötet?", "Mamma och min mentor", False),
    ("Vill du vara med på mötet?", "Ja, på en del av mötet", True),
    ("Om du inte är med: vem ska säga vad du tycker?", "Mamma", True),
    ("Vad vill du inte prata om på mötet?", "Min brors problem", None),  # never for the parents
]
TAKEN_BACK = "Att somna på kvällen"
TAKEN_BACK_NAME = "Det går inte så bra"  # its short name on "Klart!"


# --- Data: Elsa's SIP with consent from both guardians -----------------------------------------------------


def _case_with_consent_from_both_guardians(live_server) -> str:
    """Fresh demo data, then Maria and Johan consent (as consent.give does for the web flow); the case id."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import Person, SipCase
    from citizen_app.services import consent

    live_server.reset_demo_data()
    with live_server.app.app_context():
        elsa = db.session.scalar(select(Person).where(Person.display_name == CHILD))
        case = db.session.scalar(select(SipCase).where(SipCase.subject_id == elsa.id))
        units = [unit.public_id for unit in consent.parties_of(case)]
        until = date.today() + timedelta(days=300)
        for name in (GUARDIAN, OTHER_GUARDIAN):
            guardian = db.session.scalar(select(Person).where(Person.display_name == name))
            consent.give(guardian, case, units, ["school", "social"], until)
        assert consent.in_force(case, date.today()) is not None
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


# --- The guardian prepares ---------------------------------------------------------------------------------


def guardian_signs_in_and_opens_the_preparation(page, case_id: str) -> None:
    page.goto("/logga-in/testidentitet")
    choose_radio(page, "identity", GUARDIAN)
    tab_to(page, "the sign-in button", "el.type === 'submit' && el.closest('main')")
    press_enter_and_load(page)
    assert h1_text(page) == "Dina SIP:ar"
    page.goto(f"/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"
    check_page(page, label="case page, consent in force")
    tab_to_link(page, "Inför mötet: vad är viktigt för dig?")
    press_enter_and_load(page)
    assert h1_text(page) == "Inför mötet"
    assert f"Du förbereder mötet för {CHILD}." in main_text(page)
    check_key_page(page, "Inför mötet, nothing answered")


def guardian_answers_two_themes(page, case_id: str) -> None:
    tab_to_link(page, THEME_ANSWERS[0][0])
    press_enter_and_load(page)
    total = None
    for number, (question, answer) in enumerate(THEME_ANSWERS, start=1):
        assert h1_text(page) == question
        progress = page.locator("main .caption").inner_text()
        found = re.fullmatch(rf"Fråga {number} av (\d+)", progress.strip())
        assert found, progress
        total = int(found.group(1))
        check_page(page, label=f"theme {number}")
        tab_to(page, "the answer field", "el.id === 'text'")
        page.keyboard.type(answer)
        tab_to_button(page, "Spara och fortsätt")
        press_enter_and_load(page)
        assert "Svaret är sparat." in main_text(page)
    assert total == 9, "a guardian also answers the two questions about the child"

    # The next theme opens; Maria leaves it for another day and goes back to all the questions.
    assert h1_text(page) == "Vad fungerar inte så bra?"
    tab_to_link(page, "Till alla frågor")
    press_enter_and_load(page)
    assert h1_text(page) == "Inför mötet"
    for question, _answer in THEME_ANSWERS:
        part = page.locator("main .prep-part", has_text=question)
        assert part.locator(".prep-state--done").inner_text().strip() == "Klar", question
    check_page(page, label="Inför mötet, two themes answered")

    # Saved for good: the first answer is there when she opens the question again.
    page.goto(f"/sip/{case_id}/infor-motet/fraga/important")
    assert page.locator("#text").input_value() == THEME_ANSWERS[0][1]
    page.go_back()


def _agenda_texts(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("#agenda-items .agenda__text").all_inner_texts()]


def _status_text(page) -> str:
    return " ".join(page.locator("#agenda-status").inner_text().split())


def press_enter_to_move(page, javascript: bool, place: int, focus_on: str) -> None:
    """Enter on the focused "Flytta upp/ner" button of MOVED: the status says the new place, and the focus is
    on the moved item's ``focus_on`` button ("up" or "down"), so Enter would move it on."""
    assert focus_is(page, f"el.tagName === 'BUTTON' && el.textContent.includes({MOVED!r})"), (
        f"expected the focus on a button of {MOVED!r}, not on {page.evaluate(DESCRIBE_FOCUS)}"
    )
    expected = f"”{MOVED}” är flyttad till plats {place} av {len(AGENDA)}."
    if javascript:
        page.keyboard.press("Enter")  # htmx swaps the list and fills in the status; the page stays
        from playwright.sync_api import expect  # here, so the module imports without Playwright

        expect(page.locator("#agenda-status")).to_have_text(expected)
    else:
        press_enter_and_load(page)
        assert _status_text(page) == expected
    label = {"up": "Flytta upp", "down": "Flytta ner"}[focus_on]
    on_the_button = f"el.tagName === 'BUTTON' && {text_is(f'{label}: {MOVED}')}"
    for _ in range(50):  # htmx puts the focus back when the swap settles, a moment after the text changed
        if focus_is(page, on_the_button):
            break
        page.wait_for_timeout(20)
    assert focus_is(page, on_the_button), (
        f"focus should be on {label!r} of the moved item, not on {page.evaluate(DESCRIBE_FOCUS)}"
    )
    if not javascript:
        # A new page: a live region is not read out on load, so the focused button's description says it.
        described = (page.evaluate("document.activeElement.getAttribute('aria-describedby')") or "").split()
        assert "agenda-status" in described, "on a new page the focused button must say the new place"


def guardian_writes_and_orders_the_agenda(page, javascript: bool) -> None:
    tab_to_link(page, "Det här vill jag prata om")
    press_enter_and_load(page)
    assert h1_text(page) == "Det här vill jag prata om"
    check_page(page, label="agenda, empty")
    for text in AGENDA:
        tab_to(page, "the new item's field", "el.id === 'text'")
        page.keyboard.type(text)
        tab_to_button(page, "Lägg till")
        press_enter_and_load(page)
        assert "Det är tillagt i listan." in main_text(page)
    assert _agenda_texts(page) == AGENDA
    check_key_page(page, "agenda, three items")

    # Move "Fritiden" up with the keyboard, up once more to the top, and back down: each time Enter on the
    # button that has the focus, which stays at the moved item.
    assert page.locator("#agenda-status").get_attribute("role") == "status"
    tab_to_button(page, f"Flytta upp: {MOVED}")
    press_enter_to_move(page, javascript, place=2, focus_on="up")
    assert _agenda_texts(page) == [AGENDA[0], MOVED, AGENDA[1]]
    check_page(page, label="agenda, an item moved")
    press_enter_to_move(page, javascript, place=1, focus_on="down")  # at the top "Flytta upp" is gone
    assert _agenda_texts(page) == [MOVED, AGENDA[0], AGENDA[1]]
    press_enter_to_move(page, javascript, place=2, focus_on="down")
    assert _agenda_texts(page) == [AGENDA[0], MOVED, AGENDA[1]]

    # Mark the first one "Viktigast".
    tab_to_button(page, f"Viktigast: {MOST_IMPORTANT}")
    press_enter_and_load(page)
    assert f"”{MOST_IMPORTANT}” är markerad som viktigast." in main_text(page)
    important = page.locator("#agenda-items .agenda__item--important")
    assert important.count() == 1
    assert " ".join(important.locator(".agenda__text").inner_text().split()) == f"Viktigast {MOST_IMPORTANT}"
    check_page(page, label="agenda, one marked most important")


def guardian_writes_what_not_to_talk_about(page) -> None:
    tab_to_link(page, "Det här vill jag inte prata om")
    press_enter_and_load(page)
    assert h1_text(page) == "Det här vill jag inte prata om"
    assert "Det här ser bara din samordnare." in main_text(page)
    check_page(page, label="not to talk about, empty")
    tab_to(page, "the new item's field", "el.id === 'text'")
    page.keyboard.type(NOT_TALK_ABOUT)
    tab_to_button(page, "Lägg till")
    press_enter_and_load(page)
    assert "Det är tillagt i listan." in main_text(page)
    assert page.locator("main .agenda__text").all_inner_texts() == [NOT_TALK_ABOUT]
    check_page(page, label="not to talk about, one item")


def _back_to_the_preparation(page) -> None:
    tab_to_link(page, "Tillbaka")
    press_enter_and_load(page)
    assert h1_text(page) == "Inför mötet"


def guardian_chooses_where_and_how(page) -> None:
    _back_to_the_preparation(page)
    tab_to_link(page, "Var och hur ska mötet vara?")
    press_enter_and_load(page)
    assert h1_text(page) == "Var och hur ska mötet vara?"
    check_page(page, label="where and how")
    choose_radio(page, "place", "Med video")
    tab_to(page, "the times field", "el.id === 'times_not_working'")
    page.keyboard.type("Inte på måndagar.")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Det är sparat." in main_text(page)
    assert page.locator("input[name=place]:checked").get_attribute("value") == "video"
    check_page(page, label="where and how, saved")


def guardian_makes_a_code_for_the_child(page) -> str:
    _back_to_the_preparation(page)
    tab_to_link(page, "Ge ditt barn ett eget sätt att svara")
    press_enter_and_load(page)
    assert h1_text(page) == "Ge ditt barn ett eget sätt att svara"
    check_page(page, label="the child's code, none yet")
    tab_to_button(page, "Gör en kod")
    press_enter_and_load(page)
    code = page.locator(".prep-code__value").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code), code
    assert code not in page.url
    assert "/min-rost" in page.locator(".prep-address").inner_text()
    check_key_page(page, "the child's code, made")
    return code


# --- The child answers on her own phone --------------------------------------------------------------------


def child_opens_her_pages_with_the_code(page, code: str) -> None:
    page.goto("/min-rost")
    assert h1_text(page) == "Skriv din kod"
    check_page(page, child=True, label="Skriv din kod")
    tab_to(page, "the code field", "el.id === 'code'")
    page.keyboard.type(code)
    tab_to_button(page, "Öppna")
    press_enter_and_load(page)
    assert code.replace("-", "") not in page.url.upper().replace("-", "")
    assert h1_text(page) == "Min röst"
    check_key_page_for_a_child(page, "Min röst, start")


def check_key_page_for_a_child(page, label: str) -> None:
    check_page_at_every_width(page, child=True, label=label)
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


def child_answers_every_question(page) -> None:
    tab_to_link(page, "Börja")
    press_enter_and_load(page)
    for number, (question, answer, share) in enumerate(CHILD_ANSWERS, start=1):
        assert h1_text(page) == question
        assert f"Fråga {number} av {len(CHILD_ANSWERS)}" in page.locator(".child-progress").inner_text()
        check_page(page, child=True, label=f"child's question {number}")
        if question.startswith("Vill du vara med"):
            choose_radio(page, "choice", answer)
        else:
            tab_to(page, "the answer field", "el.id === 'text'")
            page.keyboard.type(answer)
        if share is None:
            assert page.locator("#share").count() == 0, "what not to talk about is never for the parents"
        else:
            assert page.locator("#share").is_checked() is False, "nothing is shared unless the child says so"
            if share:
                check_box(page, "Mina föräldrar får läsa det här före mötet")
        tab_to_button(page, "Spara och gå vidare")
        press_enter_and_load(page)
    assert h1_text(page) == "Klart!"
    check_key_page_for_a_child(page, "Klart!")
    text = main_text(page)
    assert text.count("Dina föräldrar får se.") == 6
    assert text.count("Bara samordnaren ser.") == 2


def child_takes_one_answer_back_from_her_parents(page) -> None:
    """On "Klart!" Elsa changes her mind: she opens the answer again and unticks "Mina föräldrar får läsa"."""
    tab_to_link(page, f"Ändra: {TAKEN_BACK_NAME}")
    press_enter_and_load(page)
    assert h1_text(page) == "Vad går inte så bra?"
    assert page.locator("#text").input_value() == TAKEN_BACK
    assert page.locator("#share").is_checked()
    tab_to(page, "the share checkbox", "el.id === 'share'")
    page.keyboard.press("Space")
    assert focus_is(page, "!el.checked"), "the box should now be unticked"
    check_page(page, child=True, label="child's question, unticked")
    tab_to_button(page, "Spara och gå vidare")
    press_enter_and_load(page)
    page.goto(page.url.rsplit("/fraga/", 1)[0] + "/klart")
    assert h1_text(page) == "Klart!"
    row = page.locator(".summary-list__row", has_text=TAKEN_BACK_NAME)
    assert "Bara samordnaren ser." in row.inner_text()
    text = main_text(page)
    assert text.count("Dina föräldrar får se.") == 5
    assert text.count("Bara samordnaren ser.") == 3
    check_page(page, child=True, label="Klart!, one taken back")
    tab_to_button(page, "Stäng")
    press_enter_and_load(page)
    assert h1_text(page) == "Nu är det stängt"
    check_page(page, child=True, label="closed")


# --- The guardian sees what the child shared ---------------------------------------------------------------


def guardian_sees_only_what_the_child_shared(page, case_id: str) -> None:
    page.goto(f"/sip/{case_id}/infor-motet")
    tab_to_link(page, "Sammanfattning inför mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Sammanfattning inför mötet"
    check_key_page(page, "summary with the child's shared answers")
    text = main_text(page)
    for _question, answer in THEME_ANSWERS:
        assert answer in text
    agenda = [" ".join(t.split()) for t in page.locator(".prep-summary__agenda li").all_inner_texts()]
    assert agenda == [f"Viktigast: {MOST_IMPORTANT}", MOVED, AGENDA[1]]
    assert "Med video" in text and NOT_TALK_ABOUT in page.locator(".prep-private-summary").inner_text()

    child_part = page.locator(".prep-child-answers")
    assert child_part.locator("h2").inner_text().strip() == "Ditt barns egna svar"
    shared = " ".join(child_part.inner_text().split())
    for _question, answer, share in CHILD_ANSWERS:
        if share and answer != TAKEN_BACK:
            assert answer in shared, f"Elsa shared {answer!r} with her parents"
    assert TAKEN_BACK not in text, "Elsa took this answer back from her parents"
    assert "Mamma och min mentor" not in text, "Elsa never shared this one"
    assert "Min brors problem" not in text, (
        "what Elsa does not want to talk about is for the coordinator only"
    )

    # The page to show at the meeting leaves out the child's answers and the coordinator's list.
    tab_to_link(page, "Visa bara det som alla på mötet får se")
    press_enter_and_load(page)
    meeting_text = main_text(page)
    assert page.locator(".prep-child-answers").count() == 0
    assert NOT_TALK_ABOUT not in meeting_text and CHILD_ANSWERS[0][1] not in meeting_text
    check_page(page, label="summary to show at the meeting")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_guardian_prepares_and_the_child_answers_and_hides_one_answer(new_page, live_server, javascript):
    case_id = _case_with_consent_from_both_guardians(live_server)
    maria = new_page(javascript=javascript)
    guardian_signs_in_and_opens_the_preparation(maria, case_id)
    guardian_answers_two_themes(maria, case_id)
    guardian_writes_and_orders_the_agenda(maria, javascript)
    guardian_writes_what_not_to_talk_about(maria)
    guardian_chooses_where_and_how(maria)
    code = guardian_makes_a_code_for_the_child(maria)

    elsa = new_page(javascript=javascript)  # Elsa's own phone: a new browser context, not signed in
    child_opens_her_pages_with_the_code(elsa, code)
    child_answers_every_question(elsa)
    child_takes_one_answer_back_from_her_parents(elsa)

    guardian_sees_only_what_the_child_shared(maria, case_id)
