"""The acceptance journey of issue 4 (consent), in a real browser.

On the demo data, Elsa Berg (14) has a SIP in the consent step; Maria and Johan Berg both have custody.
Maria consents for Elsa with a narrowed scope (she leaves out BUP Exempelstad) on a 360 px phone with the
keyboard alone, and writes down what Elsa thinks. Johan consents to everything: the narrowest scope applies,
and both see it. Then Johan withdraws: the SIP closes, and both guardians see why. Every page passes
``check_page`` (axe-core with zero violations, no CSP problem, no sideways scrolling, LIX ≤ 35); the key pages
also at 1280 px. The journey runs again with JavaScript switched off [issue 4; QUALITY 1, 2].
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    WIDTHS,
    check_box,
    check_key_page,
    check_page,
    choose_radio,
    focus_is,
    h1_text,
    main_text,
    press_enter_and_load,
    sign_in_as,
    tab_to,
    tab_to_button,
    tab_to_link,
)

pytestmark = pytest.mark.browser

CHILD = "Elsa Berg"
FIRST_GUARDIAN = "Maria Berg"
SECOND_GUARDIAN = "Johan Berg"
LEFT_OUT = "BUP Exempelstad"
KEPT = ("Björkskolan", "Socialtjänsten Exempelstad")  # in the order the page lists them
EXCLUSION = "Inget om Elsas bror."
CHILD_WORDS = "Jag vill att skolan och BUP pratar med varandra."


def elsas_case_id(page) -> str:
    """From the overview "Dina SIP:ar": the demo SIP for Elsa (the only one after a reset)."""
    assert h1_text(page) == "Dina SIP:ar"
    href = page.locator("main a[href^='/sip/']").first.get_attribute("href")
    found = re.fullmatch(r"/sip/([A-Za-z0-9_-]{22})", href or "")
    assert found, f"no link to Elsa's SIP on the overview: {href!r}"
    return found.group(1)


def go_to_consent_from_the_case_page(page, case_id: str) -> None:
    page.goto(f"/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"
    check_page(page, label="case page, consent step")
    tab_to_link(page, "Gå till samtycke")
    press_enter_and_load(page)
    assert h1_text(page) == f"Samtycke för {CHILD}"


def continue_to_next_question(page) -> None:
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)


def answer_the_questions(page, parties: tuple[str, ...], exclusion: str = "", start: bool = True) -> None:
    """The four questions, with the keyboard: parties, kinds of information, what not to share, how long."""
    if start:
        tab_to_button(page, "Säg ja till samtycke")
        press_enter_and_load(page)

    assert h1_text(page) == "Vilka får vara med?"
    check_page(page, label="consent question: parties")
    for name in (*KEPT, LEFT_OUT):
        assert page.get_by_label(name).count() == 1, f"{name} should be a choice"
    for name in parties:
        check_box(page, name)
    continue_to_next_question(page)

    assert h1_text(page) == "Vad får de dela?"
    check_page(page, label="consent question: categories")
    check_box(page, "Skola")
    check_box(page, "Stöd från socialtjänsten")
    continue_to_next_question(page)

    assert h1_text(page) == "Finns det något som inte får delas? (valfritt)"
    check_page(page, label="consent question: exclusions")
    if exclusion:
        tab_to(page, "the exclusions field", "el.id === 'exclusions'")
        page.keyboard.type(exclusion)
    continue_to_next_question(page)

    assert h1_text(page) == "Hur länge ska samtycket gälla?"
    check_page(page, label="consent question: period")
    choose_radio(page, "period", "Ett år")  # the default, already chosen
    continue_to_next_question(page)
    assert h1_text(page) == "Det här samtycker du till"


def confirm_on_the_summary(page, label: str) -> None:
    check_key_page(page, label)
    tab_to_button(page, "Ja, jag samtycker")
    press_enter_and_load(page)
    assert h1_text(page) == "Kvitto"
    assert "Tack. Ditt samtycke är sparat." in main_text(page)


def first_guardian_consents_with_a_narrowed_scope(page, javascript: bool) -> str:
    sign_in_as(page, FIRST_GUARDIAN)
    case_id = elsas_case_id(page)
    go_to_consent_from_the_case_page(page, case_id)
    check_key_page(page, "consent overview, nothing yet")
    text = main_text(page)
    assert "Inget samtycke än" in text and "Det är frivilligt." in text and "högst ett år" in text

    # The first question sent with nothing ticked: the error summary, then the right answer.
    tab_to_button(page, "Säg ja till samtycke")
    press_enter_and_load(page)
    continue_to_next_question_expecting_an_error(page, javascript)
    answer_the_questions(page, KEPT[1:], EXCLUSION, start=False)

    summary = main_text(page)
    for shown in (*KEPT, "Skola", "Stöd från socialtjänsten", EXCLUSION):
        assert shown in summary, f"the summary should show {shown!r}"
    assert LEFT_OUT not in summary
    confirm_on_the_summary(page, "consent summary, narrowed")
    check_key_page(page, "receipt")
    receipt = main_text(page)
    assert FIRST_GUARDIAN in receipt and LEFT_OUT not in receipt
    assert "när den andra vårdnadshavaren också har sagt ja" in receipt

    tab_to_link(page, "Skriv ut")
    press_enter_and_load(page)
    assert h1_text(page) == "Kvitto på samtycke"
    check_page(page, label="printable receipt")
    page.go_back()
    tab_to_link(page, "Till samtycket")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Du har sagt ja." in text and f"{SECOND_GUARDIAN} har inte svarat än." in text
    assert "väntar på din andra vårdnadshavare" in text
    check_page(page, label="consent overview, waiting for the other guardian")
    return case_id


def continue_to_next_question_expecting_an_error(page, javascript: bool) -> None:
    assert h1_text(page) == "Vilka får vara med?"
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page, expected_status=422)
    assert page.title().startswith("Fel: ")
    check_page(page, label="consent question: parties, with an error")
    assert focus_is(page, "el.classList.contains('error-summary')") == javascript
    tab_to_link(page, "Välj minst en verksamhet som får vara med")
    page.keyboard.press("Enter")
    assert focus_is(page, "el.id === 'units'"), "the summary's link should put focus on the first checkbox"
    assert focus_is(page, f"el.labels[0].textContent.trim() === {KEPT[0]!r}")
    page.keyboard.press("Space")  # tick the first one right there
    assert focus_is(page, "el.checked")


def first_guardian_records_the_childs_view(page) -> None:
    tab_to_link(page, "Skriv vad Elsa tycker")
    press_enter_and_load(page)
    assert h1_text(page) == "Vad tycker Elsa?"
    check_page(page, label="the child's view, written by a guardian")
    choose_radio(page, "answer", "Jag vill")
    tab_to(page, "the own words field", "el.id === 'own_words'")
    page.keyboard.type(CHILD_WORDS)
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert h1_text(page) == f"Samtycke för {CHILD}"
    text = main_text(page)
    assert "Tack. Det är sparat." in text
    assert "Vad tycker Elsa? Jag vill" in text and CHILD_WORDS in text
    check_page(page, label="consent overview with the child's view")


def second_guardian_consents_to_everything(page, case_id: str) -> None:
    sign_in_as(page, SECOND_GUARDIAN)
    page.goto("/meddelanden")
    assert "Den andra vårdnadshavaren har sagt ja till samtycke. Nu behövs ditt svar." in main_text(page)
    page.goto(f"/sip/{case_id}/samtycke")
    assert f"{FIRST_GUARDIAN} har sagt ja." in main_text(page)
    check_page(page, label="consent overview, the second guardian")
    answer_the_questions(page, (*KEPT, LEFT_OUT))
    assert LEFT_OUT in main_text(page)
    confirm_on_the_summary(page, "consent summary, everything")
    tab_to_link(page, "Till samtycket")
    press_enter_and_load(page)
    the_narrowest_scope_is_in_force(page, "the second guardian")


def the_narrowest_scope_is_in_force(page, who: str) -> None:
    in_force = " ".join(page.locator("main .notice--next").inner_text().split())
    assert "Samtycket gäller" in in_force, who
    assert "bara det som ni båda har sagt ja till" in in_force, who
    assert all(name in in_force for name in KEPT) and LEFT_OUT not in in_force, who
    check_key_page(page, f"consent overview, in force, seen by {who}")


def second_guardian_withdraws(page, case_id: str) -> None:
    tab_to_link(page, "Ta tillbaka samtycket")
    press_enter_and_load(page)
    assert h1_text(page) == "Vill du ta tillbaka samtycket?"
    check_key_page(page, "withdraw: are you sure")
    assert "SIP:en slutar direkt." in main_text(page)
    tab_to_button(page, "Ja, ta tillbaka samtycket")
    press_enter_and_load(page)
    assert page.url.endswith(f"/sip/{case_id}")
    the_case_is_closed_and_says_why(page, "the second guardian")


def the_case_is_closed_and_says_why(page, who: str) -> None:
    assert h1_text(page) == f"SIP för {CHILD}"
    assert "SIP:en är avslutad: samtycket återkallades." in main_text(page), who
    check_key_page(page, f"case page, closed, seen by {who}")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_two_guardians_consent_for_their_child_and_one_withdraws(new_page, live_server, javascript):
    live_server.reset_demo_data()  # each run starts from Elsa's SIP in the consent step
    maria = new_page(width=WIDTHS[0], javascript=javascript)
    case_id = first_guardian_consents_with_a_narrowed_scope(maria, javascript)
    first_guardian_records_the_childs_view(maria)

    johan = new_page(width=WIDTHS[0], javascript=javascript)
    second_guardian_consents_to_everything(johan, case_id)

    maria.goto(f"/sip/{case_id}/samtycke")
    the_narrowest_scope_is_in_force(maria, "the first guardian")

    second_guardian_withdraws(johan, case_id)

    maria.goto(f"/sip/{case_id}")
    the_case_is_closed_and_says_why(maria, "the first guardian")
    tab_to_link(maria, "Gå till samtycke")
    press_enter_and_load(maria)
    text = main_text(maria)
    assert "SIP:en är avslutad: samtycket återkallades." in text
    assert f"{SECOND_GUARDIAN} tog tillbaka samtycket." in text
    check_page(maria, label="consent overview after the withdrawal")
    maria.goto("/meddelanden")
    assert "Samtycket har tagits tillbaka. SIP:en är avslutad." in main_text(maria)
