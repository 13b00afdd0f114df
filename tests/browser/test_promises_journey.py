"""Two promises of issue 13, in a real browser: "Du får veta när ett beslut är klart" and "Du kan se vem som
har läst".

Oskar's SIP is set up through the services in the live server: Sara Holm (custody) asks for it, Kent
Olofsson (Socialtjänsten Exempelstad) accepts it, Sara consents, the meeting is held and the plan is approved
at it with one decision still pending. Then, on a 360 px phone:

1. Kent opens the plan, follows "Skriv in ett beslut som är klart", tries to save without words (the error
   summary), then writes what was decided. The decision is listed as made.
2. Sara opens her messages: a decision is made, with no detail in the message. "Läs planen" shows it made.
3. From her start page Sara opens "Se vem som har läst": Kent's reads and his decision are there, in plain
   Swedish and in English.

Every page passes ``check_page`` (axe-core zero violations, no CSP problem, no sideways scrolling, LIX ≤ 35);
the key pages also at 1280 px. The journey runs once with JavaScript and once without.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import (
    check_key_page,
    check_page,
    h1_text,
    main_text,
    requested_accepted_and_consented,
    sign_in_as,
    switch_language,
)
from tests.support import factories

pytestmark = pytest.mark.browser

GUARDIAN = "Sara Holm"
CHILD = "Oskar Holm"
COORDINATOR = "Kent Olofsson"
OWNING_UNIT = "Socialtjänsten Exempelstad"
SCHOOL = "Björkskolan"
DECISION = "Beslut om stöd i hemmet."
DECIDED = "Oskar får stöd i hemmet två dagar i veckan."


def _oskars_plan_with_a_pending_decision(live_server) -> str:
    from citizen_app.extensions import db
    from citizen_app.models import utcnow
    from citizen_app.services import meetings, plans

    with live_server.app.app_context():
        _sara, kent, _units, case = requested_accepted_and_consented(
            GUARDIAN,
            CHILD,
            COORDINATOR,
            need="Oskar vill inte gå till skolan.",
            requested=(OWNING_UNIT, SCHOOL),
            consented=(OWNING_UNIT, SCHOOL),
        )
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
        plan = plans.start_draft(kent, case)
        plans.add_goal(kent, case, plan, "short", "Jag vill gå till skolan varje dag.")
        plans.add_pending_decision(kent, case, plan, DECISION, "Sara ringer Kent om det blir svårt.", None)
        factories.complete_plan(plan)
        plans.approve_at_meeting(kent, case, plan)
        db.session.commit()
        public_id = case.public_id
        db.session.remove()
    return public_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_decision_reaches_the_guardian_and_she_sees_who_has_read(new_page, live_server, javascript):
    live_server.reset_demo_data()
    case_id = _oskars_plan_with_a_pending_decision(live_server)

    # 1. Kent writes in the decision.
    kent = new_page(javascript=javascript)
    sign_in_as(kent, COORDINATOR)
    kent.goto(f"/personal/sip/{case_id}/planen")
    check_page(kent)
    with kent.expect_navigation():
        kent.get_by_role("link", name="Skriv in ett beslut som är klart").click()
    assert h1_text(kent) == "Beslut som planen väntar på"
    check_key_page(kent, "the decisions the plan waits for")
    with kent.expect_navigation():
        kent.locator("main").get_by_role("link", name="Skriv in beslutet").click()
    assert DECISION in main_text(kent)
    check_key_page(kent, "writing in a decision")
    with kent.expect_navigation():
        kent.get_by_role("button", name="Spara och meddela personen").click()
    assert kent.title().startswith("Fel:")
    assert "Skriv vad som blev bestämt" in main_text(kent)
    check_page(kent, label="the decision form with an error")
    kent.get_by_label("Vad blev bestämt?").fill(DECIDED)
    with kent.expect_navigation():
        kent.get_by_role("button", name="Spara och meddela personen").click()
    assert "Personen har fått ett meddelande" in main_text(kent)
    assert DECIDED in main_text(kent)
    check_page(kent, label="the decision made")

    # 2. Sara is told, and finds the decision in the plan.
    sara = new_page(javascript=javascript)
    sign_in_as(sara, GUARDIAN)
    sara.goto("/meddelanden")
    messages = main_text(sara)
    assert "Ett beslut som planen väntade på är klart." in messages
    assert DECIDED not in messages
    check_page(sara, label="the messages")
    with sara.expect_navigation():
        sara.get_by_role("link", name="Läs planen").first.click()
    plan = main_text(sara)
    assert "Beslut som är klara" in plan and DECIDED in plan
    assert "Du får veta när ett beslut är klart." not in plan
    check_key_page(sara, "the plan with the decision made")

    # 3. "Se vem som har läst", from the start page.
    sara.goto("/")
    with sara.expect_navigation():
        sara.get_by_role("link", name="Se vem som har läst").first.click()
    assert h1_text(sara) == f"Vem har läst om {CHILD}"
    log = main_text(sara)
    # The newest line names Kent's unit; the lines after it name only him.
    assert f"{COORDINATOR} på {OWNING_UNIT} läste i SIP:en." in log
    assert f"{COORDINATOR} skrev in ett beslut som planen väntade på." in log
    check_key_page(sara, "who has read")
    switch_language(sara, "English")
    assert f"{COORDINATOR} wrote down a decision the plan was waiting for." in main_text(sara)
    check_page(sara, label="who has read, in English")
