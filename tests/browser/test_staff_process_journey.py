"""The acceptance journey of issue 16, in a real browser: the staff side of a SIP from start to end.

On the demo data, Sofia Åberg, the school counsellor at Björkskolan (a member of the school, not a
coordinator), starts a SIP for Elsa Berg (14). It lands in the unit the county's intake configuration names
for children, where Rita Samuelsson coordinates. Rita finds it in "Mina SIP:ar" by searching from the staff
start page (not by URL) and accepts it. Elsa's guardians Maria and Johan Berg both say yes to consent in the
app. After the meeting Rita records that the plan was approved at the meeting; it has an action for the school
with a day, the follow-up date and the principal with overall responsibility. Sofia marks the school's action
done from "Våra åtgärder"; Maria sees "Klart" in "Min plan". Rita proposes that the municipality's social
services take over; Kent Olofsson, its coordinator, takes over from "Förslag att ta över samordning". Kent
closes the SIP with Elsa ("Ja, personen håller med"), and the units taking part (the school, the psychiatry
that coordinated before) and the guardians read that it has ended.

The staff steps use the keyboard alone (Tab, arrows, Space, Enter). Every page passes ``check_page``
(axe-core, no CSP problem, no sideways scrolling, plain language); the key pages at 360 and 1280 px. The
journey runs with and without JavaScript.

Set up through the services in the live server, because a browser would only repeat another journey:
the invitation and the meeting (test_invitation_journey, test_past_meeting_journey) and writing the draft
plan's goal, action and details (test_plan_journey). The county configuration is set as ``flask intake rule
child "Psykiatrin Centrum"`` would: the demo sends children's SIPs to the municipality's social services,
and then there would be no move to the municipality to make.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import (
    WIDTHS,
    check_key_page,
    check_page,
    choose_radio,
    h1_text,
    main_text,
    press_enter_and_load,
    sign_in_as,
    sign_in_with_the_keyboard,
    tab_to,
    tab_to_button,
    tab_to_link,
)
from tests.browser.test_coordination_journey import choose_option, type_in

pytestmark = pytest.mark.browser

CHILD = "Elsa Berg"
GUARDIANS = ("Maria Berg", "Johan Berg")  # both have custody: both must say yes
COUNSELLOR = "Sofia Åberg"  # Kurator, Björkskolan: a member, not a coordinator
SCHOOL = "Björkskolan"
INTAKE_UNIT = "Psykiatrin Centrum"  # the county's unit for children's SIPs in this journey (see above)
COORDINATOR = "Rita Samuelsson"
MUNICIPALITY_UNIT = "Socialtjänsten Exempelstad"
MUNICIPALITY_COORDINATOR = "Kent Olofsson"
NEED = "Elsa mår dåligt och är ofta borta från skolan."
ACTION = "Skolan ordnar en lugn plats att vara på."
MOVE_REASON = "Elsa behöver mest stöd hemma nu. Det ger kommunen."
CLOSED = "SIP:en är avslutad. Planen gäller inte längre."


def elsa_without_a_sip_and_children_to_the_psychiatry(live_server) -> str:
    """Elsa's demo SIP is closed (the journey starts a new one for her), and the county sends children's
    SIPs to Psykiatrin Centrum. Returns Elsa's personal identity number, which Sofia types."""
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import IntakeNeed, Person, SipCase, StaffUser
    from citizen_app.services import closing, intake_rules, people

    with live_server.app.app_context():
        elsa = db.session.scalars(select(Person).where(Person.display_name == CHILD)).one()
        kent = db.session.scalars(select(StaffUser).where(StaffUser.display_name == "Kent Olofsson")).one()
        demo_sip = db.session.scalars(select(SipCase).where(SipCase.subject_id == elsa.id)).one()
        closing.close(kent, demo_sip, "goals_met", agreement=closing.AGREES)
        intake_rules.set_rule(IntakeNeed.CHILD, INTAKE_UNIT)
        db.session.commit()
        number = people.identity_number_of(elsa)
        db.session.remove()
    return number


def the_open_sip_and_where_the_rules_send_it(live_server) -> tuple[str, str, str]:
    """Elsa's open SIP: its id, the name of its unit, and the unit the county configuration names for a
    child."""
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import IntakeNeed, Person, SipCase, Step, Unit
    from citizen_app.services import intake_rules

    with live_server.app.app_context():
        elsa = db.session.scalars(select(Person).where(Person.display_name == CHILD)).one()
        case = db.session.scalars(
            select(SipCase).where(SipCase.subject_id == elsa.id, SipCase.step != Step.CLOSED)
        ).one()
        configured = db.session.get_one(Unit, intake_rules.receiving_unit([IntakeNeed.CHILD], []))
        found = (case.public_id, case.owning_unit.name, configured.name)
        db.session.remove()
    return found


def the_meeting_held_and_the_plan_written(live_server, case_id: str) -> None:
    """Through the services (the browser steps are other journeys'): the school is invited, the meeting is
    held, and the draft has a goal, the school's action with a day, the principal in charge and the follow-up
    date."""
    from sqlalchemy import select

    from citizen_app.extensions import db
    from citizen_app.models import SipCase, StaffUser
    from citizen_app.models.base import utcnow
    from citizen_app.services import meetings, plans

    with live_server.app.app_context():
        case = db.session.scalars(select(SipCase).where(SipCase.public_id == case_id)).one()
        rita = db.session.scalars(select(StaffUser).where(StaffUser.display_name == COORDINATOR)).one()
        meeting = meetings.set_meeting(
            rita,
            case,
            starts_at=utcnow() + timedelta(days=1),
            length_minutes=60,
            mode="in_person",
            place="Björkskolan, rum 12",
        )
        school = next(p for p in meetings.invitable(case) if p.unit is not None and p.unit.name == SCHOOL)
        meetings.invite(rita, meeting, [school.public_id])
        # The meeting took place earlier than booked: everyone could come today.
        meetings.mark_held(rita, case, confirmation=meetings.CONSENT_CONFIRMED, took_place_at=utcnow())
        plan = plans.start_draft(rita, case)
        goal = plans.add_goal(rita, case, plan, "short", "Elsa går till skolan varje dag.")
        plans.add_action(
            rita,
            case,
            plan,
            goal.public_id,
            what=ACTION,
            responsible="municipality",
            responsible_unit_id=school.unit_id,
            starts_on=date.today() + timedelta(days=7),
        )
        plans.update_details(
            rita,
            case,
            plan,
            principal_in_charge="Region Exempel",
            follow_up_on=date.today() + timedelta(days=60),
            follow_up_by=COORDINATOR,
            coordinator_name=COORDINATOR,
        )
        assert plans.missing(case, plan) == [], "the plan should be complete before the browser approves it"
        db.session.commit()
        db.session.remove()


# --- The steps ---------------------------------------------------------------------------------------------


def the_counsellor_starts_a_sip(page, identity_number: str) -> None:
    sign_in_with_the_keyboard(page, COUNSELLOR)
    assert h1_text(page) == "Personal"
    assert "Du är inte samordnare." in main_text(page)
    check_page(page, label="staff start, a school counsellor")
    tab_to_link(page, "Starta en SIP")
    press_enter_and_load(page)
    assert h1_text(page) == "Starta en SIP för en person"
    check_key_page(page, "start a SIP")
    type_in(page, "identity_number", identity_number)
    type_in(page, "need", NEED)
    choose_option(page, "unit", f"{INTAKE_UNIT} (fast vårdkontakt)")
    choose_radio(page, "urgent", "Nej")
    tab_to_button(page, "Starta SIP")
    press_enter_and_load(page)
    assert f"SIP:en är skickad till {INTAKE_UNIT}." in main_text(page)
    assert h1_text(page) == "Personal", "she cannot see the SIP before the consent names her school"
    check_page(page, label="staff start, the SIP sent")


def the_coordinator_finds_it_and_accepts(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    open_from_mina_sipar(page, case_id, check=True)
    assert f"Personalen på {SCHOOL} startade SIP:en." in main_text(page), "who to call about it"
    check_key_page(page, "staff case page, a request from the school")
    tab_to_button(page, "Ta emot och bli samordnare")
    press_enter_and_load(page)
    assert page.url.endswith(f"/personal/sip/{case_id}")
    assert "Förfrågan är mottagen." in main_text(page)
    check_page(page, label="staff case page, accepted")


def open_from_mina_sipar(page, case_id: str, *, check: bool = False) -> None:
    """From the staff start page: search "Mina SIP:ar" by name and follow the link to the SIP."""
    assert h1_text(page) == "Personal"
    tab_to(page, "the name search", "el.id === 'namn'")
    page.keyboard.type("elsa")
    tab_to_button(page, "Visa")
    press_enter_and_load(page)
    if check:  # the same page each time: checked the first time
        check_page(page, label="Mina SIP:ar, searched")
    tab_to(page, f"the link to {CHILD}", f"el.closest('ol.workbench') && el.textContent.trim() === {CHILD!r}")
    press_enter_and_load(page)
    assert page.url.endswith(f"/personal/sip/{case_id}")
    assert h1_text(page) == f"SIP för {CHILD}"


def a_guardian_consents(page, guardian: str, case_id: str) -> None:
    """The guardian says yes for the school, the psychiatry and the social services information."""
    sign_in_as(page, guardian)
    page.goto(f"/sip/{case_id}/samtycke")
    assert h1_text(page) == f"Samtycke för {CHILD}"
    check_page(page, label=f"consent, {guardian}")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Säg ja till samtycke").click()
    assert h1_text(page) == "Vilka får vara med?"
    for unit in (SCHOOL, INTAKE_UNIT):
        page.get_by_label(unit).check()
    for question, choices in (
        ("Vad får de dela?", ("Skola", "Stöd från socialtjänsten")),
        ("Finns det något som inte får delas? (valfritt)", ()),
        ("Hur länge ska samtycket gälla?", ()),
    ):
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name="Fortsätt").click()
        assert h1_text(page) == question
        for choice in choices:
            page.get_by_label(choice).check()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Fortsätt").click()
    assert h1_text(page) == "Det här samtycker du till"
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Ja, jag samtycker").click()
    assert "Tack. Ditt samtycke är sparat." in main_text(page)


def the_coordinator_records_the_approval_at_the_meeting(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    open_from_mina_sipar(page, case_id)
    tab_to_link(page, "Planen och alla versioner")
    press_enter_and_load(page)
    tab_to_link(page, "Skriv vidare på planen")
    press_enter_and_load(page)
    text = main_text(page)
    assert ACTION in text and SCHOOL in text
    check_key_page(page, "plan editor, the plan complete")
    tab_to_link(page, "Planen godkändes på mötet")
    press_enter_and_load(page)
    assert h1_text(page) == "Godkändes planen på mötet?"
    check_key_page(page, "approved at the meeting?")
    tab_to_button(page, "Ja, planen godkändes på mötet")
    press_enter_and_load(page)
    assert "Planen är godkänd. Alla får ett meddelande." in main_text(page)
    check_page(page, label="the approved plan")


def the_school_marks_its_action_done(page) -> None:
    sign_in_with_the_keyboard(page, COUNSELLOR)
    tab_to_link(page, "Våra åtgärder")
    press_enter_and_load(page)
    assert h1_text(page) == "Våra åtgärder"
    assert ACTION in main_text(page)
    check_key_page(page, "Våra åtgärder")
    tab_to(page, "the link to mark the action", "el.textContent.trim().startsWith('Skriv in hur det går')")
    press_enter_and_load(page)
    assert h1_text(page) == "Skriv in hur det går"
    check_key_page(page, "marking the school's action")
    choose_radio(page, "progress", "Det är klart")
    tab_to_button(page, "Spara")
    press_enter_and_load(page)
    text = main_text(page)
    assert "Det är sparat hur det går." in text and "Klart" in text
    check_page(page, label="Våra åtgärder, the action done")


def the_family_sees_klart(page, case_id: str) -> None:
    sign_in_as(page, GUARDIANS[0])
    page.goto(f"/sip/{case_id}/plan")
    text = main_text(page)
    assert ACTION in text and "Så går det: Klart" in text, text
    check_key_page(page, "Min plan, the school's action done")


def the_coordinator_proposes_the_municipality(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, COORDINATOR)
    open_from_mina_sipar(page, case_id)
    tab_to_link(page, "Flytta samordningen till en annan enhet")
    press_enter_and_load(page)
    assert h1_text(page) == "Flytta samordningen"
    check_key_page(page, "move the coordination")
    choose_option(page, "unit", MUNICIPALITY_UNIT)
    type_in(page, "reason", MOVE_REASON)
    tab_to_button(page, "Skicka förslaget")
    press_enter_and_load(page)
    assert f"{COORDINATOR} har föreslagit att {MUNICIPALITY_UNIT} tar över samordningen." in main_text(page)
    check_page(page, label="staff SIP page, the proposal waiting")


def the_municipality_takes_over(page, case_id: str) -> None:
    sign_in_with_the_keyboard(page, MUNICIPALITY_COORDINATOR)
    tab_to_link(page, "Förslag att ta över samordning")
    press_enter_and_load(page)
    assert CHILD in main_text(page)
    check_key_page(page, "proposals to take over")
    tab_to_link(page, CHILD)
    press_enter_and_load(page)
    assert MOVE_REASON in main_text(page)
    tab_to_button(page, "Ta över samordningen")
    press_enter_and_load(page)
    assert page.url.endswith(f"/personal/sip/{case_id}")
    moved = f"Samordningen flyttade till {MUNICIPALITY_UNIT}. Ny samordnare: {MUNICIPALITY_COORDINATOR}."
    assert moved in main_text(page)
    check_page(page, label="staff SIP page, the municipality coordinates")


def the_sip_is_closed_with_the_person(page) -> None:
    """Kent, on the SIP's page after taking over, closes it: Elsa agrees."""
    tab_to_link(page, "Avsluta SIP:en")
    press_enter_and_load(page)
    assert h1_text(page) == "Avsluta SIP:en"
    text = main_text(page)
    assert "De här får ett meddelande" in text
    assert SCHOOL in text and INTAKE_UNIT in text and GUARDIANS[0] in text and GUARDIANS[1] in text
    check_key_page(page, "close the SIP")
    choose_radio(page, "reason", "Målen är nådda")
    choose_radio(page, "agreement", "Ja, personen håller med")
    tab_to_button(page, "Avsluta SIP:en")
    press_enter_and_load(page)
    assert "Personen håller med." in main_text(page)
    check_page(page, label="staff SIP page, closed")


def everyone_is_told(new_page, javascript: bool) -> None:
    for who in (COUNSELLOR, COORDINATOR, GUARDIANS[1]):
        page = new_page(width=WIDTHS[0], javascript=javascript)
        sign_in_as(page, who)
        page.goto("/meddelanden")
        assert CLOSED in main_text(page), f"{who} should read that the SIP has ended"
        check_page(page, label=f"messages of {who}, the SIP closed")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_school_counsellor_starts_a_sip_that_runs_to_a_plan_moves_and_closes_with_the_person(
    new_page, live_server, javascript
):
    live_server.reset_demo_data()
    identity_number = elsa_without_a_sip_and_children_to_the_psychiatry(live_server)

    def fresh():
        return new_page(width=WIDTHS[0], javascript=javascript)

    the_counsellor_starts_a_sip(fresh(), identity_number)
    case_id, unit, configured = the_open_sip_and_where_the_rules_send_it(live_server)
    assert unit == configured == INTAKE_UNIT, "the SIP should land in the unit the county configured"

    the_coordinator_finds_it_and_accepts(fresh(), case_id)
    for guardian in GUARDIANS:
        a_guardian_consents(fresh(), guardian, case_id)
    the_meeting_held_and_the_plan_written(live_server, case_id)
    the_coordinator_records_the_approval_at_the_meeting(fresh(), case_id)
    the_school_marks_its_action_done(fresh())
    the_family_sees_klart(fresh(), case_id)
    the_coordinator_proposes_the_municipality(fresh(), case_id)
    kent = fresh()
    the_municipality_takes_over(kent, case_id)
    the_sip_is_closed_with_the_person(kent)
    everyone_is_told(new_page, javascript)
