"""The acceptance journey of issue 3, in a real browser.

A guardian, Maria Berg, asks for a SIP for her daughter Elsa (14) on a 360 px phone with the keyboard alone.
The coordinator of the unit that receives it accepts it. Then Maria sees the new step in the timeline, her
coordinator's name, and a message with the unread count in the header. Every page passes ``check_page``
(axe-core with zero violations, no CSP problem, no sideways scrolling, LIX ≤ 35); the key pages also at
1280 px. The same journey then runs again with JavaScript switched off [issue 3; QUALITY 1, 2].

Which unit receives the request is the county's intake configuration (services/intake_rules.py): in the
demo a child's request goes to Socialtjänsten Exempelstad, whose coordinator is Kent Olofsson; so Kent has
it in his queue. Maria chooses Björkskolan and Socialtjänsten Exempelstad, both the municipality's, so the
flow first says that a SIP is for help from both the municipality and the region; she goes on anyway.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from tests.browser.conftest import (
    DESCRIBE_FOCUS,
    WIDTHS,
    check_box,
    check_key_page,
    check_page,
    choose_radio,
    focus_is,
    h1_text,
    press_enter_and_load,
    tab_to,
    tab_to_button,
    tab_to_link,
    tab_to_link_to,
    wait_for_htmx,
)

pytestmark = pytest.mark.browser

GUARDIAN = "Maria Berg"
CHILD = "Elsa Berg"
COORDINATOR = "Kent Olofsson"  # coordinator at Socialtjänsten Exempelstad
SCHOOL = "Björkskolan"
RECEIVING_UNIT = "Socialtjänsten Exempelstad"
NEED = "Elsa mår dåligt. Skolan och BUP behöver prata med varandra."


def unread_in_header(page) -> int:
    """The header's "Meddelanden (2 olästa)" as a number; 0 when it shows no count."""
    text = " ".join(page.locator(".site-header__nav-link").text_content().split())
    found = re.fullmatch(r"Meddelanden(?: \((\d+) olästa\))?", text)
    assert found, f"unexpected messages link in the header: {text!r}"
    return int(found.group(1) or 0)


def _today_in_swedish() -> str:
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    return format_date(today, "d MMMM y", locale="sv")


# --- The journey -------------------------------------------------------------------------------------------


def guardian_signs_in_with_the_keyboard(page, javascript: bool) -> int:
    """From the start page to the overview; returns how many unread messages the header shows."""
    page.goto("/")
    if javascript:
        wait_for_htmx(page)  # loaded after the first paint (issue 17)
    assert (page.evaluate("typeof window.htmx") != "undefined") == javascript
    check_page(page, label="start page, signed out")
    tab_to_link(page, "Logga in")
    press_enter_and_load(page)
    check_page(page, label="sign-in page")
    tab_to_link(page, "Välj en testperson")
    press_enter_and_load(page)
    check_page(page, label="test identities")
    choose_radio(page, "identity", GUARDIAN)
    tab_to(page, "the sign-in button", "el.type === 'submit' && el.closest('main')")
    press_enter_and_load(page)
    assert h1_text(page) == "Dina SIP:ar"
    return unread_in_header(page)


def guardian_requests_a_sip_for_her_child(page, javascript: bool) -> str:
    """From the overview to "Din förfrågan är skickad"; returns the new case's public id."""
    check_key_page(page, "overview before the request")
    tab_to_link(page, "Begär en SIP")
    press_enter_and_load(page)
    assert h1_text(page) == "Begär en SIP"
    check_key_page(page, "Begär en SIP")
    tab_to_button(page, "Börja")
    press_enter_and_load(page)

    # 1. Who is it for: the child she has custody of.
    assert h1_text(page) == "Vem är SIP:en för?"
    check_page(page, label="question: who")
    choose_radio(page, "for_whom", CHILD)
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)

    # 2. What do you need help with — first sent empty, to meet the error summary with the keyboard.
    assert h1_text(page) == f"Vad behöver {CHILD} hjälp med?"
    check_page(page, label="question: need")
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page, expected_status=422)
    assert page.title().startswith("Fel: ")
    check_page(page, label="question: need, with an error")
    # With JavaScript the summary takes focus, so a screen reader reads it first [GOV.UK error summary].
    assert focus_is(page, "el.classList.contains('error-summary')") == javascript
    tab_to_link(page, "Skriv vad du vill ha hjälp med")
    page.keyboard.press("Enter")
    assert focus_is(page, "el.id === 'need'"), (
        f"the summary's link should put focus in the field, not on {page.evaluate(DESCRIBE_FOCUS)}"
    )
    assert focus_is(page, "el.getAttribute('aria-invalid') === 'true'")
    described = page.evaluate("document.activeElement.getAttribute('aria-describedby')").split()
    assert "need-error" in described, "the field's own error message must be tied to it"
    page.keyboard.type(NEED)
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)

    # 3. Which services: the school, and social services (which has a coordinator, so it receives it).
    assert h1_text(page) == f"Vilka har {CHILD} kontakt med nu?"
    check_page(page, label="question: services")
    check_box(page, SCHOOL)
    check_box(page, RECEIVING_UNIT)
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)

    # 3b. Both are the municipality's: a SIP is for help from both [DA 3.6.2]; she goes on anyway.
    assert h1_text(page) == "En SIP är för hjälp från både kommunen och regionen"
    check_page(page, label="notice: one principal")
    tab_to_link(page, "Fortsätt ändå")
    press_enter_and_load(page)

    # 4. Urgent? Leaving hospital?
    assert h1_text(page) == "Är det bråttom?"
    check_page(page, label="question: urgency")
    choose_radio(page, "urgent", "Nej")
    choose_radio(page, "leaving_hospital", "Nej")
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)

    # 5. How to contact, interpreter.
    assert h1_text(page) == "Hur vill du att vi kontaktar dig?"
    check_page(page, label="question: contact")
    choose_radio(page, "contact_way", "Bara här i Min SIP")
    choose_radio(page, "interpreter", "Nej")
    tab_to_button(page, "Fortsätt")
    press_enter_and_load(page)

    # Check your answers, then send.
    assert h1_text(page) == "Kontrollera dina svar"
    answers = " ".join(page.locator("main").inner_text().split())
    for shown in (CHILD, NEED, SCHOOL, RECEIVING_UNIT, "Bara här i Min SIP"):
        assert shown in answers, f"the check page should show {shown!r}"
    check_key_page(page, "Kontrollera dina svar")
    tab_to_button(page, "Skicka")
    press_enter_and_load(page)

    assert h1_text(page) == "Din förfrågan är skickad"
    found = re.search(r"/begar-sip/skickad/([A-Za-z0-9_-]{22})$", page.url)
    assert found, f"the confirmation page should name the new case: {page.url}"
    check_key_page(page, "Din förfrågan är skickad")
    sent = " ".join(page.locator("main").inner_text().split())
    assert "Det kostar inget." in sent and "30 dagar" in sent
    return found.group(1)


def guardian_sees_the_request_waiting(page, case_id: str) -> None:
    tab_to_link(page, "Se din SIP")
    press_enter_and_load(page)
    assert page.url.endswith(f"/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"
    check_page(page, label="case page, waiting")
    current = page.locator('.steps [aria-current="step"]')
    assert current.count() == 1
    assert "Du har bett om en SIP" in current.inner_text()
    assert "Du har ingen samordnare än." in page.locator("main").inner_text()


def coordinator_accepts(page, case_id: str) -> None:
    """The staff part, with any input: queue, the request, accept."""
    page.goto("/logga-in/testidentitet")
    page.get_by_label(COORDINATOR).check()
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert h1_text(page) == "Personal"
    check_page(page, label="staff start")
    page.locator("main").get_by_role("link", name="Nya förfrågningar").click()
    assert h1_text(page) == "Nya förfrågningar"
    check_key_page(page, "queue of requests")
    request_link = page.locator(f"main a[href='/personal/sip/{case_id}']")
    assert request_link.inner_text().strip() == CHILD
    request_link.click()
    assert h1_text(page) == f"SIP för {CHILD}"
    check_key_page(page, "staff case page, new request")
    with page.expect_navigation():
        page.get_by_role("button", name="Ta emot och bli samordnare").click()
    assert page.url.endswith(f"/personal/sip/{case_id}")
    assert "Förfrågan är mottagen." in page.locator("main [role=status]").inner_text()
    check_page(page, label="staff case page, accepted")
    assert COORDINATOR in page.locator("main").inner_text()


def guardian_sees_the_accepted_request(page, case_id: str, javascript: bool, unread_before: int) -> None:
    """Back on the phone: two new unread messages; the timeline moved on; the coordinator's name."""
    tab_to_link(page, "Min SIP")  # the header's link home
    press_enter_and_load(page)
    assert h1_text(page) == "Dina SIP:ar"
    # Two messages: "we have your request" when she sent it, and "your SIP has a coordinator" now.
    assert unread_in_header(page) == unread_before + 2
    check_page(page, label="overview after the coordinator accepted")
    tab_to_link_to(page, f"/sip/{case_id}")  # the new case; Elsa's older demo SIP is also listed
    press_enter_and_load(page)

    assert h1_text(page) == f"SIP för {CHILD}"
    check_key_page(page, "case page, accepted")
    # The timeline is an ordered list named by its heading, so a screen reader reads it as one.
    timeline = page.get_by_role("list", name="Så går det till")
    assert timeline.evaluate("el => el.tagName") == "OL"
    steps = timeline.get_by_role("listitem")
    assert steps.count() >= 3
    requested = steps.filter(has_text="Du har bett om en SIP")
    assert "steps__item--done" in requested.get_attribute("class")
    assert requested.get_attribute("aria-current") is None
    assert " ".join(requested.locator(".steps__state").inner_text().split()) == f"Klart {_today_in_swedish()}"
    current = timeline.locator('li[aria-current="step"]')
    assert current.count() == 1, "exactly one step is the current one"
    assert current.locator(".steps__label").inner_text().strip() == "Samtycke"
    assert "Här är du nu" in current.inner_text()
    main_text = page.locator("main").inner_text()
    assert COORDINATOR in main_text
    assert f"{COORDINATOR} blev samordnare." in main_text

    # Messages, from the header link.
    tab_to(
        page,
        "the header's link to the messages",
        "el.closest('.site-header') && el.getAttribute('href') === '/meddelanden'",
        backwards=True,
    )
    press_enter_and_load(page)
    assert h1_text(page) == "Meddelanden"
    check_key_page(page, "messages")
    accepted = page.locator("li.message", has_text=f"Nu har SIP:en en samordnare: {COORDINATOR}.")
    assert accepted.count() == 1
    assert "message--unread" in accepted.get_attribute("class")

    # Mark it as read with the keyboard: htmx swaps the message in place; without JavaScript, a new page.
    tab_to(
        page,
        "the accepted message's mark-as-read button",
        "el.tagName === 'BUTTON' && el.closest('li.message') && "
        "el.closest('li.message').textContent.includes('Nu har SIP:en en samordnare')",
    )
    if javascript:
        page.keyboard.press("Enter")
    else:
        press_enter_and_load(page)
    from playwright.sync_api import expect  # here, so the module imports without Playwright (then it skips)

    expect(accepted).not_to_have_class(re.compile(r"\bmessage--unread\b"))
    assert unread_in_header(page) == unread_before + 1
    check_page(page, label="messages, one marked as read")
    # The keyboard stays at the message: htmx focuses the updated message; without JavaScript the page
    # opens at it (#message-…), so the next Tab goes on inside it rather than from the top of the page.
    in_accepted = "el.closest('li.message') && el.closest('li.message').textContent.includes('samordnare: ')"
    if javascript:
        assert focus_is(page, f"el.matches('li.message') && {in_accepted}"), (
            f"focus should stay on the updated message, not {page.evaluate(DESCRIBE_FOCUS)}"
        )
    else:
        assert re.search(r"/meddelanden#message-[A-Za-z0-9_-]{22}$", page.url), page.url
    page.keyboard.press("Tab")
    assert focus_is(page, f"el.tagName === 'A' && {in_accepted}"), (
        f"Tab should go on inside the message, not to {page.evaluate(DESCRIBE_FOCUS)}"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_guardian_requests_a_sip_for_her_child_and_the_coordinator_accepts_it(
    new_page, live_server, javascript
):
    live_server.reset_demo_data()  # each run starts clean: no request from the other run
    guardian = new_page(width=WIDTHS[0], javascript=javascript)
    unread_before = guardian_signs_in_with_the_keyboard(guardian, javascript)
    case_id = guardian_requests_a_sip_for_her_child(guardian, javascript)
    guardian_sees_the_request_waiting(guardian, case_id)

    coordinator = new_page(width=WIDTHS[0], javascript=javascript)
    coordinator_accepts(coordinator, case_id)

    guardian_sees_the_accepted_request(guardian, case_id, javascript, unread_before)
