"""The acceptance journey of issue 6, in a real browser: the coordinator documents the plan and the guardian
approves it; a follow-up makes version 2 with outcomes; the guardian compares the versions and prints.

Sara Holm has custody of Oskar (12). Each run sets up its own SIP for Oskar through the services, inside the
live server (other journeys change the demo data, so nothing here depends on them): Sara asks for it, Kent
Olofsson (Socialtjänsten Exempelstad) accepts and becomes coordinator, Sara consents, and the first meeting
was held yesterday (set while it was still ahead, then marked held, as Kent does on the meeting page).

Then, on 360 px phones with the keyboard alone:
1. Kent opens the plan (the deadline to write it is shown), starts the draft, writes two goals in Oskar's
   words (one long-term, one short-term) with one action each done by a unit, a pending decision, the
   follow-up date and who calls it, and sends the draft to Sara.
2. Sara opens the plan: it is marked as a draft. She writes "what I want to change" (Kent sees it on his
   page), then approves: "Jag har läst planen och håller med". The plan shows "Godkänd den …".
3. At the follow-up Kent makes version 2: the long-term goal is met and ends, the short-term one is partly
   met and gets one more action, and a new goal is added. He records that it was approved at the meeting.
   Neither approved version has anything to edit on the staff side, and an old edit address is refused.
4. Sara reads the versions: version 2 applies, version 1 applied before. The comparison says in words what
   changed and how each goal went. Version 1 says it is replaced. The print view, printed, is the plan
   alone: no header, no navigation, no buttons.

Every page passes ``check_page`` (axe-core with zero violations, no CSP problem, no sideways scrolling,
LIX ≤ 35: the goals are short and plain, as the person's own words are measured too); the key pages also at
1280 px. The journey runs again with JavaScript switched off [issue 6; QUALITY 1, 2].
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from tests.browser.conftest import (
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
    text_is,
    type_date,
)

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"
OWNING_UNIT = "Socialtjänsten Exempelstad"
SCHOOL = "Björkskolan"

# Oskar's goals in his own words, and what will be done. Short and plain: the page's LIX counts them too.
LONG_GOAL = "Jag vill gå till skolan varje dag."
SHORT_GOAL = "Jag vill sova bra på natten."
NEW_GOAL = "Jag vill spela fotboll igen."
SCHOOL_ACTION = "Oskar får en lugn plats i skolan."
HOW_OFTEN = "Varje dag"
SOCIAL_ACTION = "Vi pratar med Oskar om sömnen."
FOLLOW_UP_ACTION = "Oskar får träffa en läkare."
DECISION = "Beslut om stöd i hemmet."
MEANWHILE = "Sara ringer Kent om det blir svårt."
FOLLOW_UP_BY = "Kent Olofsson"
COMMENT = "Oskar vill börja med halva dagar."
MET_COMMENT = "Oskar går till skolan nu."
PARTLY_COMMENT = "Det går bättre, men inte varje natt."

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _today() -> date:
    return datetime.now(STOCKHOLM).date()


def _in_swedish(day: date) -> str:
    return format_date(day, "d MMMM y", locale="sv")


# --- Data: Oskar's SIP with consent and a held meeting, made through the services in the live server -------


def _oskars_sip_after_the_meeting(live_server) -> str:
    """Sara asks for a SIP for Oskar, Kent accepts it, Sara consents, the meeting is held. The case id."""
    from citizen_app.extensions import db
    from citizen_app.models import utcnow
    from citizen_app.services import meetings

    with live_server.app.app_context():
        _sara, kent, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need="Oskar vill inte gå till skolan. Han sover dåligt.",
            requested=(OWNING_UNIT, SCHOOL),
            consented=(OWNING_UNIT, SCHOOL),
        )
        # The meeting is set while it is still ahead (a time in the past is refused), and held yesterday.
        now = utcnow()
        meetings.set_meeting(
            kent,
            case,
            starts_at=now - timedelta(days=1),
            length_minutes=60,
            mode="in_person",
            place="Björkskolan, rum 12",
            now=now - timedelta(days=2),
        )
        meetings.mark_held(
            kent,
            case,
            now=now - timedelta(days=1) + timedelta(hours=1),
            confirmation=meetings.CONSENT_CONFIRMED,
        )
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


# --- Keyboard helpers for this journey ---------------------------------------------------------------------


def tab_to_field(page, field_id: str) -> None:
    tab_to(page, f"the field #{field_id}", f"el.id === {field_id!r}")


def write(page, field_id: str, text: str) -> None:
    tab_to_field(page, field_id)
    page.keyboard.type(text)


def choose_option(page, field_id: str, option: str) -> None:
    """A <select>: focus it and move with the arrow keys until ``option`` is chosen."""
    tab_to_field(page, field_id)
    chosen = "el.options[el.selectedIndex].text.trim() === " + repr(option)
    for _ in range(15):
        if focus_is(page, chosen):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {option!r} in #{field_id}")


def tab_to_goal_link(page, text: str, goal: str) -> None:
    """The editor's links for one goal say which goal to a screen reader ("Ändra målet: <goal>")."""
    tab_to(page, f"the link {text!r} of {goal!r}", f"el.tagName === 'A' && {text_is(f'{text}: {goal}')}")


def no_edit_controls(page, label: str) -> None:
    """An approved version, on the staff side: nothing in <main> edits it."""
    main = page.locator("main")
    assert main.locator("form").count() == 0, f"{label}: an approved version has no form"
    links = [" ".join(t.split()) for t in main.locator("a").all_inner_texts()]
    for word in ("Skriv vidare", "Ändra", "Lägg till", "Ta bort", "Skriv hur det gick", "godkändes på mötet"):
        assert not [t for t in links if word in t], f"{label}: an approved version links to {word!r}: {links}"


# --- 1. The coordinator documents the plan -----------------------------------------------------------------


def coordinator_opens_the_plan(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    assert h1_text(page) == "Personal"
    page.goto(f"/personal/sip/{case_id}")  # Kent comes from his list of cases; it has no plan links yet
    assert h1_text(page) == f"SIP för {CHILD}"
    tab_to_link(page, "Planen och alla versioner")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    text = main_text(page)
    assert "Planen ska vara skriven senast" in text, "the deadline after the meeting should be shown"
    assert "Det finns ingen plan än." in text
    check_key_page(page, "staff plan overview, no plan yet")


def coordinator_starts_the_draft(page, number: int, button: str) -> None:
    tab_to_button(page, button)
    press_enter_and_load(page)
    assert h1_text(page) == f"Skriv planen, version {number}"
    check_page(page, label=f"plan editor, version {number}")


def coordinator_adds_a_goal(page, number: int, goal: str, term: str) -> None:
    tab_to_link(page, "Lägg till ett mål")
    press_enter_and_load(page)
    assert h1_text(page) == "Lägg till ett mål"
    check_page(page, label="add a goal")
    write(page, "text", goal)
    choose_radio(page, "term", term)
    tab_to_button(page, "Spara målet")
    press_enter_and_load(page)
    assert h1_text(page) == f"Skriv planen, version {number}"
    assert "Målet är sparat." in main_text(page)
    section = page.locator("main section#goals")
    assert goal in section.inner_text()


def coordinator_adds_an_action(
    page, number: int, goal: str, what: str, who: str, unit: str, *, starts_on=None, how_often=""
) -> None:
    tab_to_goal_link(page, "Lägg till något som ska göras", goal)
    press_enter_and_load(page)
    assert h1_text(page) == "Lägg till något som ska göras"
    assert goal in main_text(page), "the page says which goal the action is for"
    check_page(page, label="add an action")
    write(page, "what", what)
    choose_radio(page, "responsible", who)
    choose_option(page, "responsible_unit", unit)
    if starts_on is not None:
        tab_to_field(page, "starts_on")
        type_date(page, starts_on)
    if how_often:
        write(page, "how_often", how_often)
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert h1_text(page) == f"Skriv planen, version {number}"
    assert "Det som ska göras är sparat." in main_text(page)
    goal_item = page.locator("main li.plan-goal", has_text=goal)
    facts = " ".join(goal_item.inner_text().split())
    assert what in facts and f"Vem: {unit} (kommunen)" in facts, facts


def coordinator_adds_a_pending_decision(page) -> None:
    tab_to_link(page, "Lägg till ett beslut som väntar")
    press_enter_and_load(page)
    assert h1_text(page) == "Lägg till ett beslut som väntar"
    check_page(page, label="add a pending decision")
    write(page, "what", DECISION)
    write(page, "meanwhile", MEANWHILE)
    tab_to_field(page, "expected_on")
    type_date(page, _today() + timedelta(days=30))
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Beslutet är sparat." in main_text(page)
    assert DECISION in page.locator("main section#decisions").inner_text()


def coordinator_writes_the_rest(page, follow_up_on: date, number: int = 1) -> None:
    tab_to_link(page, "Ändra det här: Mer i planen")
    press_enter_and_load(page)
    assert h1_text(page) == "Mer i planen"
    check_page(page, label="the rest of the plan")
    assert page.locator("#coordinator_name").input_value() == COORDINATOR, "prefilled from the case"
    write(page, "if_worse", "Sara ringer Kent.")
    tab_to_field(page, "follow_up_on")
    type_date(page, follow_up_on)
    write(page, "follow_up_by", FOLLOW_UP_BY)
    write(page, "attendees", "Sara, Oskar, Kent och Oskars lärare.")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Det är sparat." in main_text(page)
    details = " ".join(page.locator("main section#details").inner_text().split())
    assert f"Uppföljning {_in_swedish(follow_up_on)}. Kallar till mötet: {FOLLOW_UP_BY}" in details, details
    check_key_page(page, f"plan editor, version {number} written")


def coordinator_sends_the_plan(page) -> None:
    tab_to_button(page, "Skicka planen till personen")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    text = main_text(page)
    assert "Planen är skickad." in text
    assert "Utkast, version 1" in text and "Inga synpunkter än." in text
    assert "Planen ska vara skriven senast" not in text, "the plan is written once it is sent"
    check_page(page, label="staff plan overview, draft sent")


# --- 2. The guardian comments and approves -----------------------------------------------------------------


def guardian_opens_the_draft(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, GUARDIAN)
    assert h1_text(page) == "Dina SIP:ar"
    page.goto(f"/sip/{case_id}")  # Sara has more than one SIP for Oskar in this module's runs
    assert h1_text(page) == f"SIP för {CHILD}"
    tab_to_link(page, f"Planen för {CHILD}")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    status = " ".join(page.locator("main .myplan-status").inner_text().split())
    assert status.startswith("Utkast – inte godkänd än"), status
    text = main_text(page)
    for shown in (LONG_GOAL, SHORT_GOAL, SCHOOL_ACTION, f"Vem gör det: {SCHOOL}", DECISION, MEANWHILE):
        assert shown in text, f"the draft should show {shown!r}"
    check_key_page(page, "Min plan, a draft")


def guardian_comments(page) -> None:
    assert page.locator("main h2#comments").inner_text().strip() == "Det här vill jag ändra"
    write(page, "comment", COMMENT)
    tab_to_button(page, "Skicka till samordnaren")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Tack. Din samordnare har fått det du skrev." in text
    assert COMMENT in page.locator("main .myplan-comments").inner_text()
    check_page(page, label="Min plan, a draft with a comment")


def coordinator_sees_the_comment(page) -> None:
    page.reload()
    comments = page.locator("main ul.plan-comments").inner_text()
    assert COMMENT in comments and GUARDIAN in comments
    check_page(page, label="staff plan overview, a comment")


def guardian_approves(page, follow_up_on: date) -> None:
    tab_to_button(page, "Jag har läst planen och håller med")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    text = main_text(page)
    assert "Tack. Planen är godkänd och gäller nu." in text
    status = " ".join(page.locator("main .myplan-status").inner_text().split())
    assert status.startswith(f"Godkänd den {_in_swedish(_today())}"), status
    assert "Version 1. Planen gäller nu. Den godkändes här i appen." in status
    assert f"Ni ses igen den {_in_swedish(follow_up_on)} för att följa upp planen." in text
    assert page.get_by_role("button", name="Jag har läst planen och håller med").count() == 0
    check_key_page(page, "Min plan, approved")


# --- 3. The follow-up: version 2 ---------------------------------------------------------------------------


def coordinator_follows_up(page) -> None:
    page.reload()
    text = main_text(page)
    assert "Version 1" in text and f"Godkänd den {_in_swedish(_today())}" in text
    coordinator_starts_the_draft(page, 2, "Gör en uppföljning")
    assert "Det här är en uppföljning av version 1." in main_text(page)
    goals = page.locator("main section#goals").inner_text()
    assert LONG_GOAL in goals and SHORT_GOAL in goals, "the follow-up starts from the approved version"


def coordinator_writes_an_outcome(page, goal: str, outcome: str, comment: str, *, end: bool) -> None:
    tab_to_goal_link(page, "Skriv hur det gick", goal)
    press_enter_and_load(page)
    assert h1_text(page) == "Hur gick det med målet?"
    assert goal in main_text(page)
    check_page(page, label="the goal's outcome")
    choose_radio(page, "outcome", outcome)
    write(page, "comment", comment)
    if end:
        check_box(page, "Målet avslutas här")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    assert "Det är sparat hur det gick." in main_text(page)
    item = " ".join(page.locator("main li.plan-goal", has_text=goal).inner_text().split())
    assert f"Hur det gick: {outcome}. {comment}" in item, item
    assert ("Målet avslutas här" in item) is end


def coordinator_approves_at_the_meeting(page) -> None:
    tab_to_link(page, "Planen godkändes på mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Godkändes planen på mötet?"
    assert "Version 2 låses då." in main_text(page)
    check_page(page, label="approved at the meeting?")
    tab_to_button(page, "Ja, planen godkändes på mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Planen, version 2"
    text = main_text(page)
    assert "Planen är godkänd. Alla får ett meddelande." in text
    assert f"Godkänd den {_in_swedish(_today())}" in text
    assert "Godkänd på mötet. Den här versionen är låst. Ingen kan ändra den." in text
    no_edit_controls(page, "staff version 2")
    check_key_page(page, "staff version 2, approved")


def coordinator_cannot_change_an_approved_version(page, case_id: str) -> None:
    tab_to_link(page, "Till planen")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    rows = [" ".join(t.split()) for t in page.locator("main .plan-versions__item").all_inner_texts()]
    today = _in_swedish(_today())
    assert rows == [f"Version 2 Godkänd den {today}", "Version 1 Ersatt av en nyare version"], rows
    tab_to_link(page, "Version 1")
    press_enter_and_load(page)
    assert h1_text(page) == "Planen, version 1"
    assert "Ersatt av en nyare version" in main_text(page)
    no_edit_controls(page, "staff version 1")
    check_page(page, label="staff version 1, replaced")
    # An old tab or a bookmark of the editor: the version is shown with the reason, nothing changes.
    page.goto(f"/personal/sip/{case_id}/planen/1/andra")
    assert h1_text(page) == "Planen, version 1"
    assert "Planen är godkänd och kan inte ändras." in main_text(page)


# --- 4. The guardian compares the versions and prints -----------------------------------------------------


def guardian_compares_the_versions(page) -> None:
    page.reload()
    status = " ".join(page.locator("main .myplan-status").inner_text().split())
    assert status.startswith(f"Godkänd den {_in_swedish(_today())}"), status
    assert "Version 2. Planen gäller nu. Den godkändes på mötet." in status
    tab_to_link(page, "Alla versioner och vad som ändrades")
    press_enter_and_load(page)
    assert h1_text(page) == "Alla versioner av planen"
    rows = page.locator("main .myplan-version")
    assert [t.strip() for t in rows.locator(".myplan-version__state").all_inner_texts()] == [
        "Gäller nu",
        "Gällde förut",
    ]
    check_key_page(page, "the versions")

    tab_to_link(page, "Se vad som är nytt i version 2")
    press_enter_and_load(page)
    assert h1_text(page) == "Version 2 av planen"
    assert "Här ser du vad som ändrades sedan version 1" in main_text(page)
    changes = {}
    for item in page.locator("main .myplan-change").all():
        kind = " ".join(item.locator(".myplan-change__kind").inner_text().split())
        changes[kind] = " ".join(item.inner_text().split())
    assert set(changes) == {"Avslutat mål", "Ändrat mål", "Nytt mål"}, changes
    ended = changes["Avslutat mål"]
    for words in (
        f"Målet: {LONG_GOAL}",
        "Så gick det: Uppfyllt.",
        f"Kommentar: {MET_COMMENT}",
        "Målet avslutas här. Det tas inte med i nästa version.",
    ):
        assert words in ended, f"{words!r} not in {ended!r}"
    changed = changes["Ändrat mål"]
    for words in (
        f"Målet: {SHORT_GOAL}",
        "Så gick det: Delvis uppfyllt.",
        f"Kommentar: {PARTLY_COMMENT}",
        f"Nytt som ska göras: {FOLLOW_UP_ACTION}",
    ):
        assert words in changed, f"{words!r} not in {changed!r}"
    assert f"Målet: {NEW_GOAL}" in changes["Nytt mål"]
    check_key_page(page, "version 2 compared with version 1")


def guardian_reads_version_one(page) -> None:
    tab_to_link(page, "Alla versioner")
    press_enter_and_load(page)
    tab_to_link(page, "Se målen i version 1")
    press_enter_and_load(page)
    assert h1_text(page) == "Version 1 av planen"
    text = main_text(page)
    assert "Gällde förut" in text and "Det här är den första versionen av planen." in text
    check_page(page, label="version 1")
    tab_to_link(page, "Läs och skriv ut hela version 1")
    press_enter_and_load(page)
    status = " ".join(page.locator("main .myplan-status").inner_text().split())
    assert status.startswith("En äldre version"), status
    assert "Nu gäller en nyare version." in status
    check_page(page, label="print view of version 1")


def guardian_prints(page) -> None:
    """From the print view of version 1 back to the plan, and "Skriv ut planen": the version in force."""
    tab_to_link(page, "Tillbaka till planen")
    press_enter_and_load(page)
    assert h1_text(page) == f"Planen för {CHILD}"
    tab_to_link(page, "Skriv ut planen")
    press_enter_and_load(page)
    assert h1_text(page) == f"Plan för {CHILD}"
    status = " ".join(page.locator("main .myplan-status").inner_text().split())
    assert status.startswith(f"Godkänd den {_in_swedish(_today())}"), status
    check_key_page(page, "print view of version 2")

    page.emulate_media(media="print")
    try:
        for hidden in (".site-header", ".site-footer", ".back-link", ".skip-link", "main .screen-only"):
            assert not page.locator(hidden).first.is_visible(), f"{hidden} should not be printed"
        assert page.locator(".print-only").first.is_visible(), "the paper copy says what it is"
        assert page.locator("h1").inner_text().split() == f"Plan för {CHILD}".split()
        for shown in ("h1", "main .myplan-status", "main .myplan-goals"):
            assert page.locator(shown).first.is_visible(), f"{shown} should be printed"
        printed = page.locator("main").inner_text()
        for words in (
            SHORT_GOAL,
            NEW_GOAL,
            FOLLOW_UP_ACTION,
            "Så gick det sedan förra planen: Delvis uppfyllt.",
            # The goal that ended is in version 2 with how it went; it is not carried to a version 3.
            LONG_GOAL,
            "Så gick det sedan förra planen: Uppfyllt.",
            "Det här målet avslutas nu.",
            DECISION,
            COORDINATOR,
        ):
            assert words in " ".join(printed.split()), f"the paper copy should say {words!r}"
    finally:
        page.emulate_media(media="screen")


# --- The journey -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_coordinator_documents_the_plan_the_guardian_approves_then_compares_and_prints(
    new_page, live_server, javascript
):
    case_id = _oskars_sip_after_the_meeting(live_server)
    follow_up_on = _today() + timedelta(days=180)

    kent = new_page(javascript=javascript)
    coordinator_opens_the_plan(kent, case_id)
    coordinator_starts_the_draft(kent, 1, "Skriv planen")
    coordinator_adds_a_goal(kent, 1, LONG_GOAL, "På lång sikt")
    coordinator_adds_an_action(
        kent,
        1,
        LONG_GOAL,
        SCHOOL_ACTION,
        "Kommunens verksamhet",
        SCHOOL,
        starts_on=_today() + timedelta(days=7),
        how_often=HOW_OFTEN,
    )
    coordinator_adds_a_goal(kent, 1, SHORT_GOAL, "På kort sikt")
    coordinator_adds_an_action(
        kent, 1, SHORT_GOAL, SOCIAL_ACTION, "Kommunens verksamhet", OWNING_UNIT, starts_on=_today()
    )
    coordinator_adds_a_pending_decision(kent)
    coordinator_writes_the_rest(kent, follow_up_on)
    coordinator_sends_the_plan(kent)

    sara = new_page(javascript=javascript)  # Sara's own phone
    guardian_opens_the_draft(sara, case_id)
    guardian_comments(sara)
    coordinator_sees_the_comment(kent)
    guardian_approves(sara, follow_up_on)

    coordinator_follows_up(kent)
    coordinator_writes_an_outcome(kent, LONG_GOAL, "Uppfyllt", MET_COMMENT, end=True)
    coordinator_writes_an_outcome(kent, SHORT_GOAL, "Delvis uppfyllt", PARTLY_COMMENT, end=False)
    coordinator_adds_an_action(
        kent, 2, SHORT_GOAL, FOLLOW_UP_ACTION, "Kommunens verksamhet", OWNING_UNIT, starts_on=_today()
    )
    coordinator_adds_a_goal(kent, 2, NEW_GOAL, "På kort sikt")
    coordinator_writes_the_rest(kent, follow_up_on + timedelta(days=180), number=2)  # the next follow-up
    coordinator_approves_at_the_meeting(kent)
    coordinator_cannot_change_an_approved_version(kent, case_id)

    guardian_compares_the_versions(sara)
    guardian_reads_version_one(sara)
    guardian_prints(sara)
