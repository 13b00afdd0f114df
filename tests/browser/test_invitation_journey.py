"""Acceptance journey (2) of issue 5, in a real browser: the coordinator invites, a relative answers through
the personal link and suggests a topic, and the guardian takes the suggestion onto the agenda.

Sara Holm has custody of Oskar (12). Each run sets up its own SIP for Oskar through the services, inside the
live server (other journeys change the demo data, so nothing here depends on them): Sara asks for it, Kent
Olofsson (Socialtjänsten Exempelstad) accepts and becomes coordinator, and Sara consents for Socialtjänsten
and Björkskolan, not for BUP Exempelstad. Sara has prepared a little: one answer, one thing to talk about
(shared with the relatives she invites) and one thing not to talk about (for the coordinator only).

Then, on 360 px phones with the keyboard alone:
1. Sara adds Oskar's grandmother Eva as a guest on "Vilka ska komma?".
2. Kent sets the meeting (date, time, length, on site, place) and invites Björkskolan and Eva. BUP is not
   offered: the consent does not cover it. Eva's personal link is shown once.
3. On her own phone, not signed in, Eva opens the link. She sees the meeting and the shared agenda, never the
   private list, the plan, the consent or Sara's answers. She answers and suggests a topic. The calendar
   link is there once she has said yes (nothing is downloaded).
4. Sara sees the answer and the suggestion on the meeting page and takes it onto the agenda ("Ta med").
   Eva's page and Kent's page then show it on the agenda.

Every page passes ``check_page`` (axe-core with zero violations, no CSP problem, no sideways scrolling,
LIX ≤ 35); the key pages also at 1280 px. The journey runs again with JavaScript switched off.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

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
    requested_accepted_and_consented,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
    tab_to_link_to,
    type_date,
)

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"  # coordinator at Socialtjänsten Exempelstad, which receives the request
OWNING_UNIT = "Socialtjänsten Exempelstad"
COVERED_UNIT = "Björkskolan"
NOT_COVERED_UNIT = "BUP Exempelstad"
RELATIVE = "Eva Holm"
RELATIVE_PHONE = "070-123 45 67"

NEED = "Oskar vill inte gå till skolan. Han sover dåligt."
EXCLUSION = "Inget om pappas sjukdom."
OWN_ANSWER = "Att Oskar får vara med sina kompisar."
AGENDA_ITEM = "Hur Oskar kan få stöd i skolan"
PRIVATE_ITEM = "Bråket med hans pappa"
OTHER_NEEDS = "Oskar behöver pauser och en lugn plats."
PLACE = "Björkskolan, rum 12"
SUGGESTION = "Hur Oskar kommer till skolan på morgonen"
MEETING_TIME = "13:30"
MEETING_LENGTH = "90"

# What Eva's link must never show: Sara's private list and answers, the need, the consent and its scope.
NEVER_FOR_THE_RELATIVE = (PRIVATE_ITEM, OWN_ANSWER, NEED, EXCLUSION, OTHER_NEEDS, NOT_COVERED_UNIT)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


# --- Data: Oskar's SIP, made through the services in the live server -------------------------------------


def _oskars_sip_with_consent(live_server) -> str:
    """Sara asks for a SIP for Oskar, Kent accepts it, Sara consents and prepares. Returns the case id."""
    from citizen_app.extensions import db
    from citizen_app.services import preparation

    with live_server.app.app_context():
        sara, _kent, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need=NEED,
            requested=(OWNING_UNIT, COVERED_UNIT, NOT_COVERED_UNIT),
            consented=(OWNING_UNIT, COVERED_UNIT),
            exclusions=EXCLUSION,
        )
        preparation.save_answer(sara, case, "important", OWN_ANSWER)
        preparation.add_item(sara, case, preparation.AgendaList.TALK_ABOUT, AGENDA_ITEM)
        preparation.add_item(sara, case, preparation.AgendaList.NOT_TALK_ABOUT, PRIVATE_ITEM)
        preparation.set_relatives_see_agenda(sara, case, True)
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


def _meeting_day() -> date:
    return datetime.now(STOCKHOLM).date() + timedelta(days=21)


def _meeting_when_in_swedish(day: date) -> str:
    return f"{format_date(day, 'd MMMM y', locale='sv')} kl. {MEETING_TIME.replace(':', '.')}"


# --- 1. The guardian adds a relative -----------------------------------------------------------------------


def guardian_adds_a_relative(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, GUARDIAN)
    assert h1_text(page) == "Dina SIP:ar"
    tab_to_link_to(page, f"/sip/{case_id}")
    press_enter_and_load(page)
    assert h1_text(page) == f"SIP för {CHILD}"
    check_page(page, label="case page, preparation step")
    tab_to_link(page, "Inför mötet: vad är viktigt för dig?")
    press_enter_and_load(page)
    assert h1_text(page) == "Inför mötet"
    check_page(page, label="Inför mötet")
    tab_to_link(page, "Vilka ska komma?")
    press_enter_and_load(page)
    assert h1_text(page) == "Vilka ska komma på mötet?"
    check_page(page, label="who comes")
    for name in (OWNING_UNIT, COVERED_UNIT):
        assert page.get_by_label(name).count() == 1, (
            f"{name} is covered by the consent and should be a choice"
        )
    assert page.get_by_label(NOT_COVERED_UNIT).count() == 0, "the consent does not cover BUP"

    tab_to(page, "the guest's name", "el.id === 'guest_name'")
    page.keyboard.type(RELATIVE)
    tab_to(page, "the guest's phone or e-mail", "el.id === 'guest_contact'")
    page.keyboard.type(RELATIVE_PHONE)
    tab_to_button(page, "Lägg till")
    press_enter_and_load(page)
    assert h1_text(page) == "Vilka ska komma på mötet?"
    text = main_text(page)
    assert f"{RELATIVE} är tillagd." in text
    assert f"{RELATIVE} {RELATIVE_PHONE}" in text, "the guest should be listed with how to reach her"
    check_page(page, label="who comes, with a guest")


# --- 2. The coordinator sets the meeting and invites ------------------------------------------------------


def coordinator_opens_the_meeting_page(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    assert h1_text(page) == "Personal"
    # Kent comes from his message about the request; the staff start page has no list of cases yet.
    page.goto(f"/personal/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"
    check_page(page, label="staff case page")
    tab_to_link(page, "Förberedelse, tid och inbjudan")
    press_enter_and_load(page)
    assert h1_text(page) == f"Mötet för {CHILD}"
    text = main_text(page)
    assert "Det finns inget möte än." in text
    # The coordinator, and only the coordinator, reads the whole preparation.
    for shown in (AGENDA_ITEM, PRIVATE_ITEM, OWN_ANSWER, RELATIVE):
        assert shown in text, f"the coordinator should see {shown!r}"
    check_key_page(page, "staff meeting page, no meeting yet")


def coordinator_sets_the_meeting(page, day: date) -> None:
    tab_to_link(page, "Bestäm tid och plats")
    press_enter_and_load(page)
    assert h1_text(page) == "Bestäm tid och plats"
    check_page(page, label="set the meeting")

    tab_to(page, "the date field", "el.id === 'date'")
    type_date(page, day)
    tab_to(page, "the time field", "el.id === 'time'")
    page.keyboard.type(MEETING_TIME.replace(":", ""))  # hours then minutes, whether the field is 24 h or 12 h
    assert page.evaluate("document.activeElement.value") == MEETING_TIME
    tab_to(page, "the length field", "el.id === 'length'")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(MEETING_LENGTH)
    choose_radio(page, "mode", "På plats")
    tab_to(page, "the place field", "el.id === 'place'")
    page.keyboard.type(PLACE)
    tab_to(page, "the other needs field", "el.id === 'other_needs'")
    page.keyboard.type(OTHER_NEEDS)
    tab_to_button(page, "Spara mötet")
    press_enter_and_load(page)

    assert h1_text(page) == f"Mötet för {CHILD}"
    text = main_text(page)
    assert "Mötet är sparat. Nu kan du bjuda in." in text
    for shown in (_meeting_when_in_swedish(day), f"{MEETING_LENGTH} minuter", PLACE, OTHER_NEEDS):
        assert shown in text, f"the meeting page should show {shown!r}"
    check_page(page, label="staff meeting page, meeting set")


def coordinator_invites(page) -> str:
    """Invite the covered unit and the relative; returns the relative's personal link, shown once."""
    tab_to_link(page, "Bjud in")
    press_enter_and_load(page)
    assert h1_text(page) == "Bjud in till mötet"
    check_key_page(page, "invite")
    assert page.get_by_label(COVERED_UNIT).count() == 1
    assert page.get_by_label(NOT_COVERED_UNIT).count() == 0, "a unit the consent does not cover is no choice"
    # The covered unit is a school and the SIP is about a child: it is ticked already [DA 3.3.1, issue 16].
    assert page.get_by_label(COVERED_UNIT).is_checked(), "the school the consent covers is chosen beforehand"
    check_box(page, f"{RELATIVE} (närstående)")
    tab_to_button(page, "Skicka inbjudan")
    response = press_enter_and_load(page)
    assert "no-store" in response.headers.get("cache-control", ""), (
        "the page with the link must not be cached"
    )

    assert h1_text(page) == "Skicka länkarna till de närstående"
    check_key_page(page, "the relatives' links")
    text = main_text(page)
    assert "Inbjudan är skickad." in text
    assert f"Skicka länken till {RELATIVE} ({RELATIVE_PHONE})" in text
    # The coordinator reaches the link with the keyboard, to copy it.
    tab_to(
        page,
        f"the link for {RELATIVE}",
        f"el.labels && el.labels.length && el.labels[0].textContent.trim() === 'Länk till {RELATIVE}'",
    )
    assert focus_is(page, "el.readOnly")
    link = page.evaluate("document.activeElement.value")
    assert urlsplit(link).path.startswith("/inbjudan/"), link

    tab_to_link(page, "Jag har kopierat länkarna. Gå till mötet.")
    press_enter_and_load(page)
    assert h1_text(page) == f"Mötet för {CHILD}"
    assert urlsplit(link).path.rsplit("/", 1)[-1] not in page.content(), "the link is shown once, only then"
    answers = " ".join(page.locator("main section[aria-labelledby=answers-heading]").inner_text().split())
    assert f"{COVERED_UNIT} Har inte svarat" in answers
    assert f"{RELATIVE} (närstående) Har inte svarat" in answers
    check_page(page, label="staff meeting page, invitations sent")
    return link


# --- 3. The relative, on her own phone ---------------------------------------------------------------------


def relative_sees_nothing_private(page, label: str) -> None:
    html = page.content()
    for hidden in NEVER_FOR_THE_RELATIVE:
        assert hidden not in html, f"{label}: the relative's page shows {hidden!r}"
    assert "samtycke" not in main_text(page).lower(), f"{label}: the relative's page speaks of the consent"


def relative_opens_the_link(page, link: str, day: date) -> None:
    secret = urlsplit(link).path.rsplit("/", 1)[-1]
    response = page.goto(link)
    assert response is not None and response.status == 200
    assert urlsplit(page.url).path == "/inbjudan", "the secret should leave the address bar at once"
    assert secret not in page.url
    assert h1_text(page) == "Du är inbjuden till ett möte"
    check_key_page(page, "the relative's invitation")
    text = main_text(page)
    for shown in (
        CHILD,
        _meeting_when_in_swedish(day),
        PLACE,
        COVERED_UNIT,
        f"{RELATIVE} (närstående)",
        COORDINATOR,
    ):
        assert shown in text, f"the invitation should show {shown!r}"
    agenda = " ".join(page.locator("main section[aria-labelledby=agenda-heading]").inner_text().split())
    assert AGENDA_ITEM in agenda, "Sara shares her list with the relatives she invites"
    assert page.get_by_role("link", name="Lägg in i kalendern").count() == 0, "no calendar before an answer"
    relative_sees_nothing_private(page, "the invitation")


def relative_answers(page, answer: str, answered: str, thanks: str) -> None:
    tab_to_button(page, answer)
    press_enter_and_load(page)
    assert urlsplit(page.url).path == "/inbjudan"
    text = main_text(page)
    assert thanks in text
    assert f"Ditt svar: {answered}." in text
    # With a yes, the meeting can go into her calendar. The link is there; nothing is downloaded here.
    tab_to_link(page, "Lägg in i kalendern")
    assert focus_is(page, "el.hasAttribute('download') && el.getAttribute('href') === '/inbjudan/kalender'")
    check_page(page, label="the relative's invitation, answered")


def relative_suggests_a_topic(page) -> None:
    tab_to(page, "the suggestion field", "el.id === 'text'")
    page.keyboard.type(SUGGESTION)
    tab_to_button(page, "Skicka förslaget")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Tack! Ditt förslag är skickat. Personen bestämmer om det tas upp." in text
    assert f"Det du har föreslagit {SUGGESTION} – Personen har inte svarat än" in text
    agenda = " ".join(page.locator("main section[aria-labelledby=agenda-heading]").inner_text().split())
    assert SUGGESTION not in agenda, "a suggestion is not on the agenda until Sara takes it"
    check_page(page, label="the relative's invitation, topic suggested")
    relative_sees_nothing_private(page, "the invitation after a suggestion")


# --- 4. The guardian takes the suggestion ------------------------------------------------------------------


def guardian_takes_the_suggestion(page, case_id: str, answered: str) -> None:
    page.goto(f"/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"
    tab_to_link(page, "Tid och plats för mötet, och vilka som kommer")
    press_enter_and_load(page)
    assert h1_text(page) == "Mötet"
    text = main_text(page)
    assert f"{RELATIVE} (närstående): {answered}" in text
    assert f"{COVERED_UNIT}: Har inte svarat" in text
    assert "1 förslag väntar på ditt svar." in text and SUGGESTION in text
    check_key_page(page, "the guardian's meeting page, a suggestion waiting")

    tab_to_link(page, "Svara på förslagen")
    press_enter_and_load(page)
    assert h1_text(page) == "Det här vill jag prata om"
    check_page(page, label="talk about, with a suggestion")
    agenda = page.locator("#agenda-items")
    assert SUGGESTION not in agenda.inner_text(), "not on the agenda before Sara takes it"
    tab_to_button(page, f"Ta med: {SUGGESTION}")
    press_enter_and_load(page)

    assert h1_text(page) == "Det här vill jag prata om"
    assert "Förslaget finns nu sist i listan." in main_text(page)
    items = [" ".join(t.split()) for t in agenda.locator(".agenda__text").all_inner_texts()]
    assert items == [AGENDA_ITEM, SUGGESTION], f"the suggestion should be last on the agenda: {items}"
    assert page.get_by_role("heading", name="Förslag från närstående").count() == 0
    check_page(page, label="talk about, suggestion taken")


def everyone_sees_it_on_the_agenda(relative, coordinator) -> None:
    relative.reload()
    text = main_text(relative)
    assert f"{SUGGESTION} – Ska tas upp" in text
    agenda = relative.locator("main section[aria-labelledby=agenda-heading] li").all_inner_texts()
    assert [" ".join(t.split()) for t in agenda] == [AGENDA_ITEM, SUGGESTION]
    check_page(relative, label="the relative's invitation, suggestion taken")
    relative_sees_nothing_private(relative, "the invitation at the end")

    coordinator.reload()
    talk = coordinator.locator("ol[aria-labelledby=talk-heading] li").all_inner_texts()
    assert [" ".join(t.split()) for t in talk] == [AGENDA_ITEM, f"{SUGGESTION} (förslag från en närstående)"]
    check_page(coordinator, label="staff meeting page, suggestion on the agenda")


# --- The journey -------------------------------------------------------------------------------------------

# With JavaScript Eva comes; without it, she takes part by phone.
ANSWERS = {
    True: ("Ja, jag kommer", "Kommer", "Tack! Du har svarat att du kommer."),
    False: ("Jag är med på telefon", "Är med på telefon", "Tack! Du har svarat att du är med på telefon."),
}


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_coordinator_invites_a_relative_who_answers_and_suggests_a_topic_the_guardian_takes(
    new_page, live_server, javascript
):
    case_id = _oskars_sip_with_consent(live_server)
    day = _meeting_day()
    answer, answered, thanks = ANSWERS[javascript]

    sara = new_page(width=WIDTHS[0], javascript=javascript)
    guardian_adds_a_relative(sara, case_id)

    kent = new_page(width=WIDTHS[0], javascript=javascript)
    coordinator_opens_the_meeting_page(kent, case_id)
    coordinator_sets_the_meeting(kent, day)
    link = coordinator_invites(kent)

    eva = new_page(width=WIDTHS[0], javascript=javascript)  # her own phone: no account, not signed in
    relative_opens_the_link(eva, link, day)
    relative_answers(eva, answer, answered, thanks)
    relative_suggests_a_topic(eva)

    guardian_takes_the_suggestion(sara, case_id, answered)
    everyone_sees_it_on_the_agenda(eva, kent)
